/**
 * Storing a batch: one transaction, idempotent on (device, type, entity, version), and the newest version of
 * each entity kept (an older version arriving late never overwrites). The caller acknowledges to
 * the box only after this returns, i.e. after the commit is durable.
 *
 * Every record ends up stored or rejected with a reason, never neither: a record the contract
 * refuses is rejected before the database sees it, and one the database refuses for a reason of
 * its own (a constraint, a value out of range) is found by storing the batch again one record at
 * a time and rejected alone. Otherwise one bad record would hold its whole batch, and the box's
 * uplink behind it, forever.
 */
import { checkRecord, isStorableText, MAX_ENTITY_VERSION, type ReceivedBatch, type ReceivedRecord, type UplinkAck, type WireRecord } from '../contract/index.ts';
import type { HubDb, HubQueryable } from '../storage/db.ts';

export interface StoreResult {
  ack: UplinkAck;
  /** Records new to the hub (not redeliveries), by type. */
  inserted: Record<string, number>;
  rejectedByType: Record<string, number>;
  /** The records stored (or stored before), in batch order. */
  accepted: WireRecord[];
}

interface Rejected {
  r: ReceivedRecord;
  reason: string;
}

/** The hub's one insert: every version once, and the newest per entity. */
async function insertRecords(tx: HubQueryable, deviceId: string, json: string, skip: number[]): Promise<{ type: string; n: number }[]> {
  // One statement: the batch's JSON is parsed once, for the log of versions and for the newest
  // state (jsonb: measured faster here than json_to_recordset, which parses again per field).
  const ins = await tx.query<{ type: string; n: number }>(
    `WITH r AS (
       SELECT * FROM ROWS FROM (jsonb_to_recordset($2::jsonb -> 'records')
                AS (seq bigint, type text, sv integer, entity text, ev integer, at timestamptz, payload jsonb, ut boolean))
              WITH ORDINALITY AS r(seq, type, sv, entity, ev, at, payload, ut, i)
        WHERE NOT (r.i = ANY($3::int[]))),
     ins AS (
       INSERT INTO records (device_id, type, schema_version, entity_id, entity_version, box_seq, payload, created_at, clock_untrusted)
       SELECT $1, type, sv, entity, ev, seq, payload, at, coalesce(ut, false) FROM r
       ON CONFLICT (device_id, type, entity_id, entity_version) DO NOTHING
       RETURNING type),
     newest AS (
       INSERT INTO entities (device_id, type, entity_id, version)
       SELECT DISTINCT ON (type, entity) $1, type, entity, ev FROM r ORDER BY type, entity, ev DESC
       ON CONFLICT (device_id, type, entity_id) DO UPDATE
         SET version = EXCLUDED.version, updated_at = now()
       WHERE entities.version < EXCLUDED.version),
     seen AS (UPDATE devices SET last_seen_at = now() WHERE id = $1)
     SELECT type, count(*)::int AS n FROM ins GROUP BY type`,
    [deviceId, json, skip],
  );
  return ins.rows;
}

/** A rejection's row from what the record carried, made storable whatever that was. */
const storable = (s: unknown, max: number) => {
  if (typeof s !== 'string') return '';
  const cut = s.slice(0, max);
  return isStorableText(cut) ? cut : cut.replace(/\u0000/g, '\ufffd').replace(/[\ud800-\udfff]/g, '\ufffd');
};
const rejectionRow = ({ r, reason }: Rejected) => ({
  seq: r.seq,
  type: storable(r.type, 40) || '?',
  entity: storable(r.entity, 200),
  ev: Number.isSafeInteger(r.ev) && (r.ev as number) >= 0 && (r.ev as number) <= MAX_ENTITY_VERSION ? r.ev : 0,
  reason,
});

async function insertRejections(tx: HubQueryable, deviceId: string, rejected: Rejected[]) {
  if (!rejected.length) return;
  await tx.query(
    `INSERT INTO rejections (device_id, type, entity_id, entity_version, box_seq, reason)
     SELECT $1, r.type, r.entity, r.ev, r.seq, r.reason FROM jsonb_to_recordset($2::jsonb) AS r(seq bigint, type text, entity text, ev integer, reason text)
     ON CONFLICT DO NOTHING`,
    [deviceId, JSON.stringify(rejected.map(rejectionRow))],
  );
}

/**
 * Whether a database error is the record's doing (reject it) or the hub's (the batch is not
 * acknowledged and comes again). Everything with an SQLSTATE is the record's except the classes
 * that say the database, the connection or the hub's own SQL is at fault: a new kind of
 * record fault need not be foreseen here, and a PostgreSQL restart never parks good records.
 */
const HUB_FAULT_CLASSES = new Set(['08', '0A', '25', '26', '3D', '3F', '40', '42', '53', '55', '57', '58', 'F0', 'XX']);
export function isRecordFault(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !HUB_FAULT_CLASSES.has(code.slice(0, 2));
}

/** The database's refusal as a reason for the box: the SQLSTATE and message, no value of the record. */
export function refusalReason(e: unknown): string {
  const { code, message } = e as { code: string; message?: string };
  // Data errors quote the value they refused ("invalid input syntax for type integer: \"…\""): not that.
  const said = String(message ?? '')
    .replace(/:\s*".*$/s, '')
    .slice(0, 300);
  return `the hub's database refused the record (SQLSTATE ${code}: ${storable(said, 300)})`;
}

/**
 * `batchJson` is the batch as it arrived (its JSON text, already validated as `batch`): the
 * database reads the records from it, so the batch is not serialised again (measured: ~10 ms of
 * the hub's CPU per 1,000 records). When some records are left out, the others are serialised
 * alone: a rejected record's text may be what the database cannot parse.
 */
export async function storeBatch(db: HubDb, deviceId: string, batch: ReceivedBatch, batchJson: string): Promise<StoreResult> {
  const accepted: WireRecord[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<string>();
  /** A second copy of a version in the same batch: stored once, acknowledged for both. */
  const copies: { r: WireRecord; key: string }[] = [];
  const keyOf = (r: WireRecord) => `${r.type}|${r.entity}|${r.ev}`;
  for (const received of batch.records) {
    const reason = checkRecord(received);
    if (reason) {
      rejected.push({ r: received, reason: reason.slice(0, 500) });
      continue;
    }
    const r = received as WireRecord;
    const key = keyOf(r);
    if (seen.has(key)) copies.push({ r, key });
    else {
      seen.add(key);
      accepted.push(r);
    }
  }
  const inserted: Record<string, number> = {};
  const count = (rows: { type: string; n: number }[]) => rows.forEach(({ type, n }) => (inserted[type] = (inserted[type] ?? 0) + n));
  const asSent = !rejected.length && !copies.length;
  let stored = accepted;
  try {
    await db.transaction(async (tx) => {
      if (accepted.length) count(await insertRecords(tx, deviceId, asSent ? batchJson : JSON.stringify({ records: accepted }), []));
      await insertRejections(tx, deviceId, rejected);
    });
  } catch (e) {
    if (!isRecordFault(e)) throw e;
    for (const k of Object.keys(inserted)) delete inserted[k];
    // One record at a time, each in a savepoint: only those the database refuses are rejected.
    stored = [];
    await db.transaction(async (tx) => {
      for (const r of accepted) {
        await tx.query('SAVEPOINT one_record');
        try {
          count(await insertRecords(tx, deviceId, JSON.stringify({ records: [r] }), []));
          await tx.query('RELEASE SAVEPOINT one_record');
          stored.push(r);
        } catch (err) {
          if (!isRecordFault(err)) throw err;
          await tx.query('ROLLBACK TO SAVEPOINT one_record');
          rejected.push({ r, reason: refusalReason(err) });
        }
      }
      await insertRejections(tx, deviceId, rejected);
    });
  }
  const storedKeys = new Set(stored.map(keyOf));
  // A copy of a record the database refused is refused with it.
  for (const c of copies) {
    if (storedKeys.has(c.key)) continue;
    const first = rejected.find((x) => keyOf(x.r as WireRecord) === c.key);
    rejected.push({ r: c.r, reason: first?.reason ?? 'refused with its first copy in the batch' });
  }
  const rejectedByType: Record<string, number> = {};
  for (const { r } of rejected) rejectedByType[String(r.type)] = (rejectedByType[String(r.type)] ?? 0) + 1;
  return {
    ack: {
      v: 1,
      kind: 'ack',
      batch: batch.batch,
      stored: [...stored.map((r) => r.seq), ...copies.filter((c) => storedKeys.has(c.key)).map((c) => c.r.seq)],
      rejected: rejected.map(({ r, reason }) => ({ seq: r.seq, reason })),
    },
    inserted,
    rejectedByType,
    accepted: stored,
  };
}
