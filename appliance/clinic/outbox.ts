import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db.ts';

/**
 * Records the centre needs, queued in the same transaction as the record itself so that a
 * record and its outbox entry exist together or not at all. Sending is sync/'s business.
 */
export const outboxTypes = {
  referral: 1,
  prescription: 1,
  encounter_summary: 1,
  consent: 1,
  queue_daily_figures: 1,
} as const;
export type OutboxType = keyof typeof outboxTypes;

export async function appendOutbox(
  tx: Queryable,
  entry: { type: OutboxType; entityId: string; entityVersion: number; payload: unknown },
): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (id, type, schema_version, entity_id, entity_version, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
    [randomUUID(), entry.type, outboxTypes[entry.type], entry.entityId, entry.entityVersion, JSON.stringify(entry.payload)],
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
    `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending,
            count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
            extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))::float8 AS oldest,
            coalesce(sum(pg_column_size(payload)) FILTER (WHERE parked_at IS NULL), 0)::float8 AS bytes
       FROM outbox WHERE delivered_at IS NULL`,
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
  const { rows } = await db.query<{ seq: number; id: string; type: string; entity_id: string; entity_version: number; parked_reason: string; created_at: unknown; parked_at: unknown }>(
    `SELECT seq::float8 AS seq, id, type, entity_id, entity_version, parked_reason, created_at, parked_at FROM outbox
      WHERE delivered_at IS NULL AND parked_at IS NOT NULL ORDER BY seq LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    seq: r.seq, id: r.id, type: r.type, entityId: r.entity_id, entityVersion: r.entity_version, reason: r.parked_reason,
    createdAt: new Date(r.created_at as string).toISOString(), parkedAt: new Date(r.parked_at as string).toISOString(),
  }));
}

/** Sends a parked record again (after the hub was updated to accept it). */
export async function unpark(db: Db, seq: number): Promise<boolean> {
  const { rows } = await db.query(`UPDATE outbox SET parked_at = NULL, parked_reason = NULL WHERE seq = $1 AND parked_at IS NOT NULL RETURNING seq`, [seq]);
  return rows.length > 0;
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
    `SELECT count(*)::int AS total, min(created_at) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS oldest FROM outbox`,
  );
  const byType = await db.query<{ type: string; pending: number }>(
    `SELECT type, count(*)::int AS pending FROM outbox WHERE delivered_at IS NULL AND parked_at IS NULL GROUP BY type ORDER BY type`,
  );
  return { ...backlog, total: rows[0].total, oldestPendingAt: rows[0].oldest ? new Date(rows[0].oldest).toISOString() : null, byType: byType.rows };
}

export async function listOutbox(db: Queryable, opts: { limit: number; offset: number }) {
  const { rows } = await db.query<{ seq: number; id: string; type: string; entity_id: string; entity_version: number; created_at: string; delivered_at: string | null }>(
    `SELECT seq::int AS seq, id, type, entity_id, entity_version, created_at, delivered_at FROM outbox ORDER BY seq DESC LIMIT $1 OFFSET $2`,
    [opts.limit, opts.offset],
  );
  return rows;
}
