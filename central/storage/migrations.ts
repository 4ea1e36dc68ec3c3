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
      for (const stmt of m.sql.split(/;\s*\n/).map((x) => x.trim()).filter(Boolean)) await tx.query(stmt);
      await tx.query('INSERT INTO hub_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m.id);
    }
  });
  return applied;
}
