/**
 * Storing a batch: one transaction, idempotent on the record's UUID, and the newest version of
 * each entity kept (an older version arriving late never overwrites). The caller acknowledges to
 * the box only after this returns, i.e. after the commit is durable.
 */
import { checkRecord, type RecordBatch, type UplinkAck, type WireRecord } from '../contract/index.ts';
import type { HubDb } from '../storage/db.ts';

export interface StoreResult {
  ack: UplinkAck;
  /** Records new to the hub (not redeliveries), by type. */
  inserted: Record<string, number>;
  rejectedByType: Record<string, number>;
}

export async function storeBatch(db: HubDb, deviceId: string, batch: RecordBatch): Promise<StoreResult> {
  const accepted: WireRecord[] = [];
  const rejected: { r: WireRecord; reason: string }[] = [];
  const seen = new Set<string>();
  for (const r of batch.records) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const reason = checkRecord(r);
    if (reason) rejected.push({ r, reason });
    else accepted.push(r);
  }
  const inserted: Record<string, number> = {};
  await db.transaction(async (tx) => {
    if (accepted.length) {
      const rows = JSON.stringify(accepted);
      const ins = await tx.query<{ type: string; n: number }>(
        `WITH ins AS (
           INSERT INTO records (id, device_id, type, schema_version, entity_id, entity_version, box_seq, payload, created_at)
           SELECT r.id, $1, r.type, r.sv, r.entity, r.ev, r.seq, r.payload, r.at
             FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, type text, sv integer, entity text, ev integer, at timestamptz, payload jsonb)
           ON CONFLICT (id) DO NOTHING
           RETURNING type)
         SELECT type, count(*)::int AS n FROM ins GROUP BY type`,
        [deviceId, rows],
      );
      for (const { type, n } of ins.rows) inserted[type] = n;
      await tx.query(
        `INSERT INTO entities (device_id, type, entity_id, version, record_id, payload)
         SELECT DISTINCT ON (r.type, r.entity) $1, r.type, r.entity, r.ev, r.id, r.payload
           FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, type text, entity text, ev integer, payload jsonb)
          ORDER BY r.type, r.entity, r.ev DESC, r.seq DESC
         ON CONFLICT (device_id, type, entity_id) DO UPDATE
           SET version = EXCLUDED.version, record_id = EXCLUDED.record_id, payload = EXCLUDED.payload, updated_at = now()
         WHERE entities.version < EXCLUDED.version`,
        [deviceId, rows],
      );
    }
    if (rejected.length) {
      await tx.query(
        `INSERT INTO rejections (record_id, device_id, box_seq, type, reason)
         SELECT r.id, $1, r.seq, r.type, r.reason FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, type text, reason text)
         ON CONFLICT (record_id) DO NOTHING`,
        [deviceId, JSON.stringify(rejected.map(({ r, reason }) => ({ id: r.id, seq: r.seq, type: r.type, reason })))],
      );
    }
    await tx.query(`UPDATE devices SET last_seen_at = now() WHERE id = $1`, [deviceId]);
  });
  const rejectedByType: Record<string, number> = {};
  for (const { r } of rejected) rejectedByType[r.type] = (rejectedByType[r.type] ?? 0) + 1;
  return {
    ack: { v: 1, kind: 'ack', batch: batch.batch, stored: accepted.map((r) => r.seq), rejected: rejected.map(({ r, reason }) => ({ seq: r.seq, reason })) },
    inserted,
    rejectedByType,
  };
}
