/**
 * What the outbox still holds for the hub, for the admin page, /metrics and the status the box
 * reports to the hub. Parked records are counted apart: they wait for a person, not for the link.
 */
import type { Db, Queryable } from '../clinic/db.ts';

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
            coalesce(sum(octet_length(payload::text)) FILTER (WHERE parked_at IS NULL), 0)::float8 AS bytes
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

/** For the box's admin page. */
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

export interface SyncStats extends Backlog {
  enabled: boolean;
  connected: boolean;
  deviceId: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  recordsDelivered: number;
  batchesSent: number;
  bytesSent: number;
  reconnects: number;
  downlinkApplied: number;
}

/** Prometheus text for the box's /metrics. */
export function syncMetricsText(s: SyncStats): string {
  const g = (name: string, help: string, v: number | null) => (v == null ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`]);
  return [
    ...g('simpul_outbox_pending', 'Records waiting to reach the hub (parked ones excluded).', s.pending),
    ...g('simpul_outbox_parked', 'Records the hub rejected as invalid, waiting for a person.', s.parked),
    ...g('simpul_outbox_oldest_age_seconds', 'Age of the oldest record waiting to reach the hub.', s.oldestPendingAgeSeconds ?? 0),
    ...g('simpul_outbox_bytes_pending', 'JSON bytes waiting to reach the hub (before compression).', s.bytesPending),
    ...g('simpul_sync_connected', '1 when the box is connected to the hub broker.', s.connected ? 1 : 0),
    ...g('simpul_sync_last_success_timestamp_seconds', 'When the hub last acknowledged records.', s.lastSyncAt ? Date.parse(s.lastSyncAt) / 1000 : null),
    ...g('simpul_sync_last_error_timestamp_seconds', 'When sync last failed.', s.lastErrorAt ? Date.parse(s.lastErrorAt) / 1000 : null),
    '# HELP simpul_sync_records_delivered_total Records the hub acknowledged since start.',
    '# TYPE simpul_sync_records_delivered_total counter',
    `simpul_sync_records_delivered_total ${s.recordsDelivered}`,
    '# HELP simpul_sync_bytes_sent_total Uplink frame bytes published since start.',
    '# TYPE simpul_sync_bytes_sent_total counter',
    `simpul_sync_bytes_sent_total ${s.bytesSent}`,
    '# HELP simpul_sync_reconnects_total Reconnect attempts since start.',
    '# TYPE simpul_sync_reconnects_total counter',
    `simpul_sync_reconnects_total ${s.reconnects}`,
  ].join('\n') + '\n';
}
