import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';

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

export interface OutboxSummary {
  pending: number;
  total: number;
  oldestPendingAt: string | null;
  bytesPending: number;
  byType: { type: string; pending: number }[];
}

export async function outboxSummary(db: Queryable): Promise<OutboxSummary> {
  const { rows } = await db.query<{ pending: number; total: number; oldest: string | null; bytes: number }>(
    `SELECT count(*) FILTER (WHERE delivered_at IS NULL)::int AS pending, count(*)::int AS total,
            min(created_at) FILTER (WHERE delivered_at IS NULL) AS oldest,
            coalesce(sum(octet_length(payload::text)) FILTER (WHERE delivered_at IS NULL), 0)::int AS bytes
       FROM outbox`,
  );
  const byType = await db.query<{ type: string; pending: number }>(
    `SELECT type, count(*)::int AS pending FROM outbox WHERE delivered_at IS NULL GROUP BY type ORDER BY type`,
  );
  const r = rows[0];
  return {
    pending: r.pending,
    total: r.total,
    oldestPendingAt: r.oldest ? new Date(r.oldest).toISOString() : null,
    bytesPending: r.bytes,
    byType: byType.rows,
  };
}

export async function listOutbox(db: Queryable, opts: { limit: number; offset: number }) {
  const { rows } = await db.query<{ seq: number; id: string; type: string; entity_id: string; entity_version: number; created_at: string; delivered_at: string | null }>(
    `SELECT seq::int AS seq, id, type, entity_id, entity_version, created_at, delivered_at FROM outbox ORDER BY seq DESC LIMIT $1 OFFSET $2`,
    [opts.limit, opts.offset],
  );
  return rows;
}
