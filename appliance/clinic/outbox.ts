import { randomUUID } from 'node:crypto';
import { checkRecord, currentSchemaVersions, type RecordPayload, type RecordType } from '../../central/contract/records.ts';
import type { Db, Queryable } from './db.ts';

/**
 * Records the centre needs, queued in the same transaction as the record itself so that a
 * record and its outbox entry exist together or not at all. Sending is sync/'s business.
 *
 * Two tables: `outbox` keeps every record as written (it is never updated when one is
 * delivered), `outbox_pending` holds a narrow row (seq, priority, entity, payload size) per
 * record still to be sent. Delivering 1,000 records is then a delete of 1,000 narrow rows
 * (measured 4–18 ms on the box) where marking them in `outbox` rewrote 1,000 wide rows and five
 * indexes (50–60 ms).
 */
export const outboxTypes = {
  // priority: lower goes first. Bulk (BULK_PRIORITY) also waits for the night window.
  referral: { priority: 0 },
  prescription: { priority: 0 },
  encounter_summary: { priority: 1 },
  consent: { priority: 1 },
  queue_daily_figures: { priority: 2 },
  // A remote job's state (helper operators): small, and an operator is waiting for it.
  job_result: { priority: 0 },
  patient_merge: { priority: 1 },
} as const satisfies { [T in RecordType]: { priority: number } };
/** The contract's record types: the box queues exactly those the hub knows. */
export type OutboxType = RecordType;
export const BULK_PRIORITY = 2;
const priorities = JSON.stringify(Object.fromEntries(Object.entries(outboxTypes).map(([t, v]) => [t, v.priority])));

/** One key per entity, as `outbox_pending.entity` holds it. */
const entityKey = (type: string, entityId: string) => `${type}|${entityId}`;

/** One record to queue: each type takes the payload the contract declares for it. */
export type OutboxEntry = {
  [T in OutboxType]: { type: T; entityId: string; entityVersion: number; payload: RecordPayload<T> };
}[OutboxType];

/** A record whose payload the hub would refuse; no payload values in it (it may be logged). */
export interface ContractBreach {
  type: string;
  entityId: string;
  reason: string;
}

/**
 * What appendOutbox does with a record that breaks the wire contract. 'throw' (the default, and
 * what every test runs with): the write fails, so a payload the hub would park fails the test of
 * the write path that built it. The box in production (main.ts) keeps the record instead and
 * reports the breach: throwing there would refuse the clinical write itself (the nurse's or
 * doctor's record not saved), while a kept record goes to the hub, which parks it with the same
 * reason on the box's admin page until a person releases it. Nothing of the clinic is lost.
 */
export type ContractBreachPolicy = 'throw' | ((breach: ContractBreach) => void);
let breachPolicy: ContractBreachPolicy = 'throw';
export function onContractBreach(policy: ContractBreachPolicy): void {
  breachPolicy = policy;
}

export class ContractBreachError extends Error {
  constructor(readonly breach: ContractBreach) {
    super(`outbox record ${breach.type} ${breach.entityId} breaks the wire contract: ${breach.reason}`);
    this.name = 'ContractBreachError';
  }
}

let clockTrusted: () => boolean = () => true;
/**
 * The box's clock trust (appliance/clock, set by box.ts): a record written while the clock is not
 * trusted carries a flag the hub keeps, since its time (the system clock's) may be wrong.
 */
export function outboxClockTrust(provider: () => boolean): void {
  clockTrusted = provider;
}

export async function appendOutbox(tx: Queryable, entry: OutboxEntry): Promise<void> {
  const t = outboxTypes[entry.type];
  const schemaVersion = currentSchemaVersions[entry.type];
  // The hub's own check, as the record will travel (its seq is not known yet: any will do).
  const reason = checkRecord({
    seq: 1,
    type: entry.type,
    sv: schemaVersion,
    entity: entry.entityId,
    ev: entry.entityVersion,
    at: new Date().toISOString(),
    payload: entry.payload,
  });
  if (reason) {
    const breach = { type: entry.type, entityId: entry.entityId, reason };
    if (breachPolicy === 'throw') throw new ContractBreachError(breach);
    breachPolicy(breach);
  }
  const payload = JSON.stringify(entry.payload);
  await tx.query(
    `WITH o AS (INSERT INTO outbox (id, type, schema_version, entity_id, entity_version, payload, clock_untrusted) VALUES ($1, $2, $3, $4, $5, $6, $10) RETURNING seq)
     INSERT INTO outbox_pending (seq, priority, entity, bytes) SELECT seq, $7, $8, $9 FROM o`,
    [
      randomUUID(),
      entry.type,
      schemaVersion,
      entry.entityId,
      entry.entityVersion,
      payload,
      t.priority,
      entityKey(entry.type, entry.entityId),
      Buffer.byteLength(payload),
      !clockTrusted(),
    ],
  );
}

/** A record waiting in the queue (outbox_pending). */
export interface QueuedRecord {
  seq: number;
  /** `type|entity`. */
  entity: string;
  /** Of the payload as stored. */
  bytes: number;
}

/**
 * The next records to send: by priority, then seq; bulk only when `includeBulk`; none of an
 * entity that is `busy` (a version of it is on its way, so a later one must wait). Records in
 * flight are still in the queue, so up to `inFlight` more are read and left out here: a Set
 * lookup, where `entity <> ALL(array of 3,000)` in SQL cost 20 ms a batch. One row comes back
 * (PGlite's JavaScript parsing of 1,000 result rows cost more than the query).
 */
export async function readQueue(db: Queryable, o: { limit: number; includeBulk: boolean; busy: Set<string>; inFlight: number }): Promise<QueuedRecord[]> {
  const { rows } = await db.query<{ next: [number, string, number][] | null }>(
    `SELECT json_agg(json_build_array(seq, entity, bytes) ORDER BY priority, seq) AS next FROM (
       SELECT seq, entity, bytes, priority FROM outbox_pending WHERE ($2 OR priority < ${BULK_PRIORITY}) ORDER BY priority, seq LIMIT $1) next`,
    [o.limit + o.inFlight, o.includeBulk],
  );
  return (rows[0]?.next ?? [])
    .filter(([, entity]) => !o.busy.has(entity))
    .slice(0, o.limit)
    .map(([seq, entity, bytes]) => ({ seq, entity, bytes }));
}

/**
 * The records as a JSON array of WireRecords (central/contract/messages.ts), in the queue's
 * order, built by the database: payloads are stored as json text and go into the frame as they
 * are (a record written while the clock was untrusted, rare, is rebuilt as jsonb to add `ut`),
 * are, never parsed or printed again. A nested loop over the primary key, whatever the planner
 * knows of the table (PGlite has no autovacuum, so no statistics: a plain join chose to hash the
 * whole outbox).
 */
export async function readWireRecords(db: Queryable, seqs: number[]): Promise<string | null> {
  const { rows } = await db.query<{ records: string | null }>(
    `SELECT json_agg(CASE WHEN x.untrusted THEN (to_jsonb(x.r) || '{"ut":true}')::json ELSE to_json(x.r) END ORDER BY n.i)::text AS records
       FROM unnest($1::bigint[]) WITH ORDINALITY AS n(seq, i)
       CROSS JOIN LATERAL (SELECT (SELECT r FROM (SELECT o.seq, o.type, o.schema_version AS sv, o.entity_id AS entity, o.entity_version AS ev, o.created_at AS at, o.payload) r) AS r,
                                  o.clock_untrusted AS untrusted
                             FROM outbox o WHERE o.seq = n.seq OFFSET 0) x`,
    [seqs],
  );
  return rows[0].records;
}

/** The hub has stored these: they leave the queue. */
export async function markDelivered(tx: Queryable, seqs: number[]): Promise<void> {
  await tx.query(`DELETE FROM outbox_pending WHERE seq = ANY($1::bigint[])`, [seqs]);
}

/** Records the hub cannot take: out of the queue, with the reason, until a person releases them. */
export async function parkRecords(db: Db, list: { seq: number; reason: string }[]): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ seq: number }>(`DELETE FROM outbox_pending WHERE seq = ANY($1::bigint[]) RETURNING seq::float8 AS seq`, [list.map((p) => p.seq)]);
    const queued = new Set(rows.map((r) => r.seq));
    await tx.query(`UPDATE outbox o SET parked_at = now(), parked_reason = r.reason FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, reason text) WHERE o.seq = r.seq`, [
      JSON.stringify(list.filter((p) => queued.has(p.seq))),
    ]);
  });
}

/** The hub asked for everything from `fromSeq` again (it lost records): back in the queue, parked ones excepted. */
export async function requeueFrom(db: Queryable, fromSeq: number): Promise<void> {
  await requeue(db, fromSeq, Number.MAX_SAFE_INTEGER);
}

async function requeue(db: Queryable, fromSeq: number, toSeq: number) {
  await db.query(
    `INSERT INTO outbox_pending (seq, priority, entity, bytes)
     SELECT seq, coalesce(($3::jsonb ->> type)::smallint, 1), type || '|' || entity_id, octet_length(payload::text) FROM outbox WHERE seq BETWEEN $1 AND $2 AND parked_at IS NULL
     ON CONFLICT (seq) DO NOTHING`,
    [fromSeq, toSeq, priorities],
  );
}

export interface Backlog {
  pending: number;
  parked: number;
  oldestPendingAgeSeconds: number | null;
  bytesPending: number;
}

export async function readBacklog(db: Queryable): Promise<Backlog> {
  const { rows } = await db.query<{ pending: number; parked: number; oldest: number | null; bytes: number }>(
    `SELECT p.pending, p.bytes, (SELECT count(*)::int FROM outbox WHERE parked_at IS NOT NULL) AS parked,
            (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM outbox WHERE seq = ANY(p.oldest)) AS oldest
       FROM (SELECT count(*)::int AS pending, coalesce(sum(bytes), 0)::float8 AS bytes,
                    -- the oldest of each priority: seq order is creation order within the box
                    ARRAY(SELECT min(seq) FROM outbox_pending GROUP BY priority) AS oldest FROM outbox_pending) p`,
  );
  const r = rows[0];
  return { pending: r.pending, parked: r.parked, oldestPendingAgeSeconds: r.oldest == null ? null : Math.max(0, r.oldest), bytesPending: r.bytes };
}

export interface ParkedRecord {
  seq: number;
  id: string;
  type: string;
  entityId: string;
  entityVersion: number;
  reason: string;
  createdAt: string;
  parkedAt: string;
}

/** Records the hub rejected as invalid, for the box's admin page. */
export async function listParked(db: Queryable, limit = 100): Promise<ParkedRecord[]> {
  const { rows } = await db.query<{
    seq: number;
    id: string;
    type: string;
    entity_id: string;
    entity_version: number;
    parked_reason: string;
    created_at: unknown;
    parked_at: unknown;
  }>(
    `SELECT seq::float8 AS seq, id, type, entity_id, entity_version, parked_reason, created_at, parked_at FROM outbox
      WHERE parked_at IS NOT NULL ORDER BY seq LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    id: r.id,
    type: r.type,
    entityId: r.entity_id,
    entityVersion: r.entity_version,
    reason: r.parked_reason,
    createdAt: new Date(r.created_at as string).toISOString(),
    parkedAt: new Date(r.parked_at as string).toISOString(),
  }));
}

/** Sends a parked record again (after the hub was updated to accept it). */
export async function unpark(db: Db, seq: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(`UPDATE outbox SET parked_at = NULL, parked_reason = NULL WHERE seq = $1 AND parked_at IS NOT NULL RETURNING seq`, [seq]);
    if (rows.length) await requeue(tx, seq, seq);
    return rows.length > 0;
  });
}

/** The admin page's view: the backlog plus totals and the pending count per type. */
export interface OutboxSummary extends Backlog {
  total: number;
  oldestPendingAt: string | null;
  byType: { type: string; pending: number }[];
}

export async function outboxSummary(db: Queryable): Promise<OutboxSummary> {
  const backlog = await readBacklog(db);
  const { rows } = await db.query<{ total: number; oldest: string | null }>(
    `SELECT (SELECT count(*)::int FROM outbox) AS total, min(o.created_at) AS oldest FROM outbox_pending p JOIN outbox o USING (seq)`,
  );
  const byType = await db.query<{ type: string; pending: number }>(
    `SELECT o.type, count(*)::int AS pending FROM outbox_pending p JOIN outbox o USING (seq) GROUP BY o.type ORDER BY o.type`,
  );
  return { ...backlog, total: rows[0].total, oldestPendingAt: rows[0].oldest ? new Date(rows[0].oldest).toISOString() : null, byType: byType.rows };
}

export async function listOutbox(db: Queryable, opts: { limit: number; offset: number }) {
  const { rows } = await db.query<{
    seq: number;
    id: string;
    type: string;
    entity_id: string;
    entity_version: number;
    created_at: string;
    status: 'pending' | 'parked' | 'delivered';
  }>(
    `SELECT o.seq::int AS seq, o.id, o.type, o.entity_id, o.entity_version, o.created_at,
            CASE WHEN p.seq IS NOT NULL THEN 'pending' WHEN o.parked_at IS NOT NULL THEN 'parked' ELSE 'delivered' END AS status
       FROM outbox o LEFT JOIN outbox_pending p USING (seq) ORDER BY o.seq DESC LIMIT $1 OFFSET $2`,
    [opts.limit, opts.offset],
  );
  return rows;
}
