import type { PGlite } from '@electric-sql/pglite';

/**
 * The box's schema, in order. A migration never changes once released: add a new one.
 * Each runs in its own transaction together with its row in schema_migrations.
 */
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'clinic',
    sql: `
CREATE TABLE staff (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  full_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('doctor','nurse','pharmacist','admin')),
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  staff_id uuid NOT NULL REFERENCES staff(id),
  csrf_token text NOT NULL,
  device text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE patients (
  id uuid PRIMARY KEY,
  full_name text NOT NULL,
  nik char(16) UNIQUE,
  jkn_number char(13) UNIQUE,
  sex char(1) NOT NULL CHECK (sex IN ('L','P')),
  birth_date date NOT NULL,
  phone text,
  address text,
  registered_here boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (nik IS NOT NULL OR jkn_number IS NOT NULL)
);
CREATE INDEX patients_name_idx ON patients (lower(full_name) text_pattern_ops);

CREATE TABLE queue_counters (
  poli text NOT NULL,
  day date NOT NULL,
  last_number integer NOT NULL,
  PRIMARY KEY (poli, day)
);

CREATE TABLE queue_tickets (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  day date NOT NULL,
  poli text NOT NULL,
  number integer NOT NULL,
  label text NOT NULL,
  patient_id uuid REFERENCES patients(id),
  source text NOT NULL CHECK (source IN ('phone','desk')),
  status text NOT NULL CHECK (status IN ('waiting','called','serving','done','skipped','no_show')),
  room text,
  call_count integer NOT NULL DEFAULT 0,
  taken_at timestamptz NOT NULL DEFAULT now(),
  called_at timestamptz,
  served_at timestamptz,
  finished_at timestamptz,
  expires_at timestamptz NOT NULL,
  UNIQUE (day, poli, number)
);
CREATE INDEX queue_tickets_day_poli_idx ON queue_tickets (day, poli, status, number);

CREATE TABLE encounters (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients(id),
  ticket_id uuid REFERENCES queue_tickets(id),
  doctor_id uuid NOT NULL REFERENCES staff(id),
  poli text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_person','audio_visual','audio_only','chat')),
  status text NOT NULL CHECK (status IN ('open','closed')),
  subjective text NOT NULL DEFAULT '',
  objective text NOT NULL DEFAULT '',
  assessment text NOT NULL DEFAULT '',
  plan text NOT NULL DEFAULT '',
  vitals jsonb NOT NULL DEFAULT '{}',
  diagnoses jsonb NOT NULL DEFAULT '[]',
  version integer NOT NULL DEFAULT 1,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE INDEX encounters_patient_idx ON encounters (patient_id, opened_at DESC);

CREATE TABLE consents (
  id uuid PRIMARY KEY,
  encounter_id uuid NOT NULL REFERENCES encounters(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  method text NOT NULL CHECK (method IN ('patient_tap','verbal')),
  recorded_by uuid REFERENCES staff(id),
  given_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz,
  withdrawn_by text,
  version integer NOT NULL DEFAULT 1,
  CHECK (method <> 'verbal' OR recorded_by IS NOT NULL)
);
CREATE INDEX consents_encounter_idx ON consents (encounter_id);

CREATE TABLE formulary (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  strength text NOT NULL,
  form text NOT NULL,
  kfa_code text,
  stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  unit text NOT NULL DEFAULT 'tablet',
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE stock_movements (
  id uuid PRIMARY KEY,
  formulary_id uuid NOT NULL REFERENCES formulary(id),
  kind text NOT NULL CHECK (kind IN ('receipt','adjustment','dispense')),
  quantity integer NOT NULL,
  reason text NOT NULL DEFAULT '',
  prescription_id uuid,
  staff_id uuid REFERENCES staff(id),
  at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE prescriptions (
  id uuid PRIMARY KEY,
  encounter_id uuid NOT NULL REFERENCES encounters(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  prescriber_id uuid NOT NULL REFERENCES staff(id),
  status text NOT NULL CHECK (status IN ('issued','dispensed','picked_up')),
  note text NOT NULL DEFAULT '',
  version integer NOT NULL DEFAULT 1,
  issued_at timestamptz NOT NULL DEFAULT now(),
  dispensed_at timestamptz,
  dispensed_by uuid REFERENCES staff(id),
  picked_up_at timestamptz
);
CREATE INDEX prescriptions_status_idx ON prescriptions (status, issued_at);

CREATE TABLE prescription_items (
  prescription_id uuid NOT NULL REFERENCES prescriptions(id),
  line integer NOT NULL,
  formulary_id uuid NOT NULL REFERENCES formulary(id),
  signa text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  days integer NOT NULL CHECK (days > 0),
  PRIMARY KEY (prescription_id, line)
);

CREATE TABLE hospitals (
  code text PRIMARY KEY,
  name text NOT NULL,
  specialties jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE referrals (
  id uuid PRIMARY KEY,
  encounter_id uuid NOT NULL REFERENCES encounters(id),
  patient_id uuid NOT NULL REFERENCES patients(id),
  referrer_id uuid NOT NULL REFERENCES staff(id),
  hospital_code text NOT NULL,
  hospital_name text NOT NULL,
  specialty text NOT NULL,
  diagnosis_code text NOT NULL,
  reason text NOT NULL,
  emergency boolean NOT NULL DEFAULT false,
  status text NOT NULL CHECK (status IN ('draft','issued','sent','accepted','scheduled','rejected','used','expired')),
  valid_until date NOT NULL,
  scheduled_for date,
  answer_note text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_status_idx ON referrals (status, created_at);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  staff_id uuid REFERENCES staff(id),
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  patient_id uuid,
  device text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_patient_idx ON audit_log (patient_id, at DESC);

-- What the centre needs, written in the same transaction as the record itself.
-- seq is the box's own order; the sync issue sends by it.
CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  schema_version integer NOT NULL,
  entity_id text NOT NULL,
  entity_version integer NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (seq) WHERE delivered_at IS NULL;
`,
  },
  {
    id: 2,
    name: 'sync',
    sql: `
-- A record the hub rejected as invalid is parked with the reason: kept, shown, never blocking.
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
ALTER TABLE outbox ADD COLUMN parked_reason text;
CREATE INDEX outbox_sendable_idx ON outbox (seq) WHERE delivered_at IS NULL AND parked_at IS NULL;

-- Downlink items already handled (by the hub's item id), so a redelivery is not applied twice.
CREATE TABLE sync_inbox (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied','rejected')),
  reason text,
  at timestamptz NOT NULL DEFAULT now()
);

-- Small facts that must survive a restart (last successful sync).
CREATE TABLE sync_state (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    id: 3,
    name: 'call_quality',
    sql: `
-- Per-call quality of a consultation through the box's relay (figures only: bitrate, loss, jitter,
-- round trip, frames, events). Never media: nothing is recorded unless recording was consented.
CREATE TABLE call_quality (
  id uuid PRIMARY KEY,
  encounter_id uuid NOT NULL REFERENCES encounters(id),
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  end_reason text NOT NULL,
  summary jsonb NOT NULL
);
CREATE INDEX call_quality_encounter_idx ON call_quality (encounter_id, started_at);
`,
  },
  {
    id: 4,
    name: 'outbox_entity_version',
    sql: `
-- The hub knows a record by (type, entity, version): two rows with the same key would be one at the hub.
CREATE UNIQUE INDEX outbox_entity_version_idx ON outbox (type, entity_id, entity_version);
`,
  },
  {
    id: 5,
    name: 'outbox_pending',
    sql: `
-- The send queue apart from the records: delivering is a delete of narrow rows, and outbox rows
-- are never rewritten (marking 1,000 delivered rewrote 1,000 wide rows and five indexes).
-- priority: 0 referrals and prescriptions, 1 visits and consents, 2 bulk (clinic/outbox.ts).
-- entity is 'type|entity_id'; bytes is the payload's size, so batches are cut to size without reading payloads.
CREATE TABLE outbox_pending (
  seq bigint PRIMARY KEY,
  priority smallint NOT NULL,
  entity text NOT NULL,
  bytes integer NOT NULL
);
CREATE INDEX outbox_pending_order_idx ON outbox_pending (priority, seq);
INSERT INTO outbox_pending (seq, priority, entity, bytes)
SELECT seq, CASE type WHEN 'referral' THEN 0 WHEN 'prescription' THEN 0 WHEN 'queue_daily_figures' THEN 2 ELSE 1 END, type || '|' || entity_id, octet_length(payload::text)
  FROM outbox WHERE delivered_at IS NULL AND parked_at IS NULL;
DROP INDEX outbox_pending_idx;
DROP INDEX outbox_sendable_idx;
ALTER TABLE outbox DROP COLUMN delivered_at;
CREATE INDEX outbox_parked_idx ON outbox (seq) WHERE parked_at IS NOT NULL;
-- Kept as the JSON text the clinic wrote: the uplink splices it into frames as it is, where jsonb
-- had to be printed again for every record sent (and parsed on every insert).
ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;
`,
  },
  {
    id: 6,
    name: 'audit_detail',
    sql: `
-- What a list or search asked for (the search text of a patient search): the audit trail says
-- what was looked up, not only that someone looked.
ALTER TABLE audit_log ADD COLUMN detail text;
`,
  },
  {
    id: 7,
    name: 'hospital_list',
    sql: `
-- The district's hospital list comes from the centre (a versioned downlink item): whether a
-- hospital takes emergency referrals directly is part of it.
ALTER TABLE hospitals ADD COLUMN accepts_emergency boolean NOT NULL DEFAULT false;
`,
  },
  {
    id: 8,
    name: 'outbox_clock_untrusted',
    sql: `
-- Written while the box's clock was earlier than its floor (appliance/clock): the record's time
-- is the system clock's, which was wrong; the hub keeps the flag.
ALTER TABLE outbox ADD COLUMN clock_untrusted boolean NOT NULL DEFAULT false;
`,
  },
  {
    id: 9,
    name: 'remote jobs',
    sql: `
-- Helper "operators". A remote job from the hub (appliance/jobs/): taken in once by the job's id,
-- run once; its state goes back to the hub as job_result records in the outbox.
CREATE TABLE box_jobs (
  id uuid PRIMARY KEY,
  action jsonb NOT NULL,
  expires_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'queued',
  received_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- Sync settings a remote job changed (bandwidth cap, night window): they outlive a restart and
-- win over the config file's until changed again.
CREATE TABLE sync_overrides (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    id: 10,
    name: 'clinic_day',
    sql: `
-- Issue 17 (helper clinic). Self-contained: may be renumbered at merge.
-- A midwife (bidan) role for the KIA poli; accounts an admin deactivates or gives a temporary password.
ALTER TABLE staff DROP CONSTRAINT IF EXISTS staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('doctor','nurse','pharmacist','admin','midwife'));
ALTER TABLE staff ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE staff ADD COLUMN deactivated_at timestamptz;
-- Allergies, each a row (kept when removed, for the record); moved with the visits when records merge.
CREATE TABLE patient_allergies (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients(id),
  substance text NOT NULL,
  reaction text NOT NULL DEFAULT '',
  recorded_by uuid REFERENCES staff(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE INDEX patient_allergies_patient_idx ON patient_allergies (patient_id);
-- A duplicate merged into another record stays (its identifiers, the audit trail), pointing at the kept one.
ALTER TABLE patients ADD COLUMN merged_into uuid REFERENCES patients(id);
ALTER TABLE patients ADD COLUMN merged_at timestamptz;
-- Vitals a nurse records at triage, on the ticket, before the doctor opens the visit.
CREATE TABLE ticket_triage (
  ticket_id uuid PRIMARY KEY REFERENCES queue_tickets(id),
  vitals jsonb NOT NULL DEFAULT '{}',
  recorded_by uuid REFERENCES staff(id),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
-- The reports read a day or a month by time.
CREATE INDEX encounters_opened_idx ON encounters (opened_at);
CREATE INDEX prescriptions_issued_idx ON prescriptions (issued_at);
CREATE INDEX referrals_created_idx ON referrals (created_at);
CREATE INDEX queue_tickets_day_idx ON queue_tickets (day);
`,
  },
  {
    id: 11,
    name: 'partial_dispense',
    sql: `
-- What the pharmacist handed out of each line (null: not dispensed yet); below the quantity, the rest is owed.
ALTER TABLE prescription_items ADD COLUMN dispensed_quantity integer;
`,
  },
];

export async function migrate(db: PGlite): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = new Set((await db.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
    });
    applied.push(m.id);
  }
  return applied;
}
