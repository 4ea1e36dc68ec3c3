/**
 * The hub's schema, in order; the same SQL runs on PGlite and PostgreSQL. A released migration
 * never changes: add a new one. An advisory lock lets several hub processes start at once.
 */
import type { HubDb } from './hub-db.ts';

export const hubMigrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'hub',
    sql: `
CREATE TABLE devices (
  id text PRIMARY KEY,
  secret_hash text NOT NULL,
  facility_code text NOT NULL,
  name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_seen_at timestamptz,
  last_status jsonb
);

-- Every version of every record a box sent, once: the id is the box's outbox UUID.
CREATE TABLE records (
  id uuid PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices(id),
  type text NOT NULL,
  schema_version integer NOT NULL,
  entity_id text NOT NULL,
  entity_version integer NOT NULL,
  box_seq bigint NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX records_device_seq_idx ON records (device_id, box_seq);

-- The newest version of each entity: an older version never overwrites a newer one.
CREATE TABLE entities (
  device_id text NOT NULL REFERENCES devices(id),
  type text NOT NULL,
  entity_id text NOT NULL,
  version integer NOT NULL,
  record_id uuid NOT NULL,
  payload jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, type, entity_id)
);
CREATE INDEX entities_type_entity_idx ON entities (type, entity_id);

CREATE TABLE rejections (
  record_id uuid PRIMARY KEY,
  device_id text NOT NULL,
  box_seq bigint NOT NULL,
  type text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

-- What waits for a box (hospital answers, commands) until the box acknowledges it.
CREATE TABLE downlink (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  device_id text NOT NULL REFERENCES devices(id),
  kind text NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  send_count integer NOT NULL DEFAULT 0,
  acked_at timestamptz,
  outcome text,
  reason text
);
CREATE INDEX downlink_pending_idx ON downlink (device_id, seq) WHERE acked_at IS NULL;
`,
  },
  {
    id: 2,
    name: 'device broker hash',
    // The box's secret hashed the way Mosquitto's password_file wants it (PBKDF2-SHA512, `$7$`),
    // for provisioning/mosquitto.ts. Boxes enrolled before this have none: re-enrol them.
    sql: `ALTER TABLE devices ADD COLUMN broker_hash text`,
  },
  {
    id: 3,
    name: 'records keyed by entity version',
    // The idempotency key is (device, type, entity, version): the wire no longer carries a
    // random id per outbox row (24 of ~150 bytes a record).
    sql: `
ALTER TABLE records DROP COLUMN id;
ALTER TABLE records ADD PRIMARY KEY (device_id, type, entity_id, entity_version);
ALTER TABLE entities DROP COLUMN record_id;
ALTER TABLE rejections DROP COLUMN record_id;
ALTER TABLE rejections ADD COLUMN entity_id text NOT NULL DEFAULT '';
ALTER TABLE rejections ADD COLUMN entity_version integer NOT NULL DEFAULT 0;
ALTER TABLE rejections ADD PRIMARY KEY (device_id, type, entity_id, entity_version, box_seq)
`,
  },
  {
    id: 4,
    name: 'entities point at their newest record',
    // entities held a second copy of every payload, half of what ingest wrote. The newest
    // state is now its version, and entity_state joins the payload from records.
    sql: `
ALTER TABLE entities DROP COLUMN payload;
CREATE VIEW entity_state AS
  SELECT e.device_id, e.type, e.entity_id, e.version, e.updated_at, r.payload
    FROM entities e JOIN records r ON r.device_id = e.device_id AND r.type = e.type AND r.entity_id = e.entity_id AND r.entity_version = e.version
`,
  },
  {
    id: 5,
    name: 'no per-row device check on ingest',
    // The foreign keys to devices were checked row by row: 27 of 90 ms per 1,000 records stored
    // (EXPLAIN ANALYZE). Ingest stores only for a known, active box (checked per message), and a
    // box is revoked, never deleted, so the check could never fail.
    sql: `
ALTER TABLE records DROP CONSTRAINT records_device_id_fkey;
ALTER TABLE entities DROP CONSTRAINT entities_device_id_fkey
`,
  },
  {
    id: 6,
    name: 'region of a box, for lists sent by region',
    // Idempotent: other parts of the hub add the same column (SHARED-DECISIONS).
    sql: `
ALTER TABLE devices ADD COLUMN IF NOT EXISTS region_code text
`,
  },
  {
    id: 7,
    name: 'records written while the box clock was untrusted',
    // A constant default: no table rewrite on PostgreSQL 11+, however many records there are.
    sql: `
ALTER TABLE records ADD COLUMN clock_untrusted boolean NOT NULL DEFAULT false
`,
  },
  {
    id: 8,
    name: 'claim codes and box certificates',
    // Claim codes are stored only as SHA-256 hashes: each is 80 random bits, so a fast hash is
    // enough (nothing to brute-force), and a leaked table lets nobody enrol. A box's certificates
    // are kept by serial so that a revoked box's go into the CRL.
    sql: `
CREATE TABLE IF NOT EXISTS claims (
  code_hash text PRIMARY KEY,
  facility_code text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  device_id text
);
CREATE TABLE IF NOT EXISTS device_certificates (
  serial text PRIMARY KEY,
  device_id text NOT NULL,
  issued_at timestamptz NOT NULL,
  not_after timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS device_certificates_device ON device_certificates (device_id)
`,
  },
  {
    id: 9,
    name: 'fleet state, regions and status history',
    // helper fleetdata. devices.region_code per SHARED-DECISIONS (BPS kode wilayah of the
    // kabupaten/kota, 4 digits; idempotent, operators may add it too).
    sql: `
ALTER TABLE devices ADD COLUMN IF NOT EXISTS region_code text;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS tags text[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS devices_region_idx ON devices (region_code);
-- Provinces (2 digits) and kabupaten/kota (4 digits), with their names, from an imported list.
CREATE TABLE IF NOT EXISTS regions (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}([0-9]{2})?$'),
  name text NOT NULL
);
-- Which kabupaten/kota a facility is in, from an imported list (a device takes its facility's).
CREATE TABLE IF NOT EXISTS facility_regions (
  facility_code text PRIMARY KEY,
  region_code text NOT NULL CHECK (region_code ~ '^[0-9]{4}$')
);
-- A box's state as the hub decides it: reports make it online, the hub's sweep makes a silent
-- one stale then offline (not its reconnect); revoked from the registry.
CREATE TABLE box_state (
  device_id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('online','stale','offline','revoked')),
  reason text NOT NULL,
  since timestamptz NOT NULL,
  last_report_at timestamptz NOT NULL,
  sw text,
  boot_id text
);
CREATE INDEX box_state_sweep_idx ON box_state (state, last_report_at);
-- Reported figures, raw (kept 48 h), then per hour (90 days) and per day (2 years).
CREATE TABLE status_raw (
  device_id text NOT NULL,
  at timestamptz NOT NULL,
  pending integer, parked integer, oldest_age_s integer,
  disk_free_pct real, mem_box_mb real, load real, db_mb real,
  clock_offset_s real, queue_tickets integer, queue_served integer, queue_wait_s integer, relay_calls integer,
  PRIMARY KEY (device_id, at)
);
CREATE INDEX status_raw_at_idx ON status_raw (at);
CREATE TABLE status_hourly (
  device_id text NOT NULL,
  hour timestamptz NOT NULL,
  reports integer NOT NULL,
  pending_max integer, parked_max integer, oldest_age_max integer,
  disk_free_pct_min real, mem_box_mb_max real, load_avg real, db_mb_max real,
  queue_tickets_max integer, queue_served_max integer, relay_calls_max integer,
  PRIMARY KEY (device_id, hour)
);
CREATE INDEX status_hourly_hour_idx ON status_hourly (hour);
CREATE TABLE status_daily (
  device_id text NOT NULL,
  day date NOT NULL,
  reports integer NOT NULL,
  pending_max integer, parked_max integer, oldest_age_max integer,
  disk_free_pct_min real, mem_box_mb_max real, load_avg real, db_mb_max real,
  queue_tickets_max integer, queue_served_max integer, relay_calls_max integer,
  PRIMARY KEY (device_id, day)
);
-- A region's figures per hour, made with the hourly rollup: a district's 90-day chart reads
-- 2,160 rows, not one per box and hour.
CREATE TABLE region_hourly (
  region_code text NOT NULL,
  hour timestamptz NOT NULL,
  boxes integer NOT NULL,
  reports integer NOT NULL,
  pending_sum bigint, parked_sum bigint, oldest_age_max integer, disk_free_pct_min real, queue_tickets_sum bigint,
  PRIMARY KEY (region_code, hour)
);
`,
  },
  {
    id: 10,
    name: 'alerts',
    // helper fleetdata. Thresholds per scope: '' national, 2 digits a province, 4 a district,
    // 'box:<id>' one box; the most specific wins.
    sql: `
CREATE TABLE alert_thresholds (
  rule text NOT NULL,
  scope text NOT NULL,
  threshold double precision,
  enabled boolean NOT NULL DEFAULT true,
  PRIMARY KEY (rule, scope)
);
-- One row per (rule, subject): fires once, reminds, resolves; a new episode reuses the row.
CREATE TABLE alerts (
  fingerprint text PRIMARY KEY,
  rule text NOT NULL,
  subject text NOT NULL,
  region_code text,
  severity text NOT NULL,
  summary text NOT NULL,
  value double precision,
  state text NOT NULL CHECK (state IN ('firing','resolved')),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  last_notified_at timestamptz,
  notified_state text,
  notifications integer NOT NULL DEFAULT 0
);
CREATE INDEX alerts_state_idx ON alerts (state, rule);
CREATE TABLE alert_silences (
  id bigserial PRIMARY KEY,
  rule text,
  device_id text,
  region_prefix text NOT NULL DEFAULT '',
  reason text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL
);
`,
  },
  {
    id: 11,
    name: 'operators, sessions and the audit log',
    // Helper "operators". region_code is shared with fleetdata (IF NOT EXISTS: whichever runs first adds it).
    // A session is kept as the SHA-256 of its cookie, so a copy of the database opens no session.
    sql: `
ALTER TABLE devices ADD COLUMN IF NOT EXISTS region_code text;
CREATE TABLE operators (
  username text PRIMARY KEY,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('national', 'province', 'district')),
  scope text NOT NULL,
  full_name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE TABLE operator_sessions (
  token_hash text PRIMARY KEY,
  username text NOT NULL REFERENCES operators(username),
  csrf text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX operator_sessions_expiry_idx ON operator_sessions (expires_at);
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  address text NOT NULL,
  action text NOT NULL,
  target text NOT NULL DEFAULT '',
  region text NOT NULL DEFAULT '',
  result text NOT NULL,
  detail jsonb
);
CREATE INDEX audit_log_region_idx ON audit_log (region, seq)
`,
  },
  {
    id: 12,
    name: 'remote jobs',
    // Helper "operators". A job is what an operator asked; a job_run is one box's share of it, sent
    // through the downlink (downlink_id). What the box reports comes back as job_result records.
    sql: `
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  action jsonb NOT NULL,
  target text NOT NULL,
  created_by text NOT NULL,
  scope text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX jobs_created_idx ON jobs (created_at DESC);
CREATE TABLE job_runs (
  job_id uuid NOT NULL REFERENCES jobs(id),
  device_id text NOT NULL,
  downlink_id uuid NOT NULL UNIQUE,
  expired_at timestamptz,
  PRIMARY KEY (job_id, device_id)
);
CREATE INDEX job_runs_device_idx ON job_runs (device_id)
`,
  },
  {
    id: 13,
    name: 'reference lists as published, for boxes enrolled later',
    sql: `
CREATE TABLE reference_lists (
  kind text NOT NULL,
  version integer NOT NULL,
  region text,
  devices text[],
  items jsonb NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, version)
)
`,
  },
  {
    id: 15,
    name: 'releases and their rollouts by waves',
    sql: `
CREATE TABLE releases (
  version text PRIMARY KEY,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  file text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rollouts (
  id uuid PRIMARY KEY,
  version text NOT NULL REFERENCES releases (version),
  waves jsonb NOT NULL,
  max_failures integer,
  max_failure_percent real,
  state text NOT NULL,
  wave integer NOT NULL DEFAULT 0,
  assigned_wave integer NOT NULL DEFAULT -1,
  accepted_failures integer NOT NULL DEFAULT 0,
  halt_reason text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE TABLE rollout_assignments (
  assignment bigserial PRIMARY KEY,
  rollout_id uuid NOT NULL REFERENCES rollouts (id),
  wave integer NOT NULL,
  device_id text NOT NULL,
  downlink_id uuid NOT NULL,
  assigned_at timestamptz NOT NULL,
  download_key_hash text,
  UNIQUE (rollout_id, device_id)
);
CREATE INDEX rollout_assignments_device_idx ON rollout_assignments (device_id);
CREATE UNIQUE INDEX rollout_assignments_key_idx ON rollout_assignments (download_key_hash)
`,
  },
  {
    id: 16,
    name: 'withdrawn release assignments',
    // A halt takes back the assignments boxes have not acted on (withdrawn_at); the release route
    // refuses their download, and a resume assigns them afresh (a new number, key and item).
    sql: `
ALTER TABLE rollout_assignments ADD COLUMN withdrawn_at timestamptz
`,
  },
  {
    id: 18,
    name: 'box state reasons as codes',
    // The console words a reason in the operator's language (fleet-state.ts BOX_STATE_REASONS);
    // the English sentences kept before become their codes.
    sql: `
UPDATE box_state SET reason = CASE
  WHEN reason = 'reporting again' THEN 'reporting_again'
  WHEN reason = 'missed a report' THEN 'missed_report'
  WHEN reason LIKE 'no report for %' THEN 'silent'
  WHEN reason = 'revoked in the registry' THEN 'revoked_in_registry'
  WHEN reason IN ('reporting', 'reporting_again', 'missed_report', 'silent', 'revoked_in_registry', 'never_reported') THEN reason
  WHEN state = 'stale' THEN 'missed_report'
  WHEN state = 'offline' THEN 'silent'
  WHEN state = 'revoked' THEN 'revoked_in_registry'
  ELSE 'reporting' END
`,
  },
];

export async function migrateHub(db: HubDb): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7345001)`);
    await tx.query(`CREATE TABLE IF NOT EXISTS hub_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ id: number }>('SELECT id FROM hub_migrations')).rows.map((r) => r.id));
    for (const m of hubMigrations) {
      if (done.has(m.id)) continue;
      // One statement at a time: PGlite's query() takes a single statement.
      for (const stmt of m.sql
        .split(/;\s*\n/)
        .map((x) => x.trim())
        .filter(Boolean))
        await tx.query(stmt);
      await tx.query('INSERT INTO hub_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m.id);
    }
  });
  return applied;
}
