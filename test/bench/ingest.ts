/**
 * Hub ingest into PostgreSQL: `npx tsx test/bench/ingest.ts` (PostgreSQL at SIMPUL_BENCH_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/test, in a schema of its own, dropped afterwards).
 *
 * The same generated records (fixed seeds, one set per box) go in three ways, side by side:
 *  1. the hub's path: each 500-record batch as the box sends it (compressed frame) is decoded,
 *     checked and stored by storeBatch (one transaction, idempotent upsert, newest entity state),
 *     boxes in parallel on the hub's pool, each box's batches in order;
 *  2. the same batches again: every record a redelivery (what a lost acknowledgement costs);
 *  3. the ceiling: a plain COPY of the same rows into a table shaped like `records`, in the same
 *     batches and with the same parallelism, no checks, no upsert, no entity state.
 */
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { decodeFrame, encodeFrame, type WireRecord } from '../../central/contract/index.ts';
import { enrolDevice } from '../../central/fleet/devices.ts';
import { storeBatch } from '../../central/ingest/store.ts';
import { postgresHubDb } from '../../central/storage/db.ts';
import { migrateHub } from '../../central/storage/migrations.ts';
import { generateRecords } from '../../central/testing/records.ts';
import { printTable } from './table.ts';

const URL_ = process.env.SIMPUL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 500;

const csv = (v: unknown) => (v == null ? '' : `"${String(v).replaceAll('"', '""')}"`);

export async function runIngestBench(o: { boxes?: number; perBox?: number; pool?: number } = {}) {
  const boxes = o.boxes ?? Number(process.env.INGEST_BENCH_BOXES ?? 8);
  const perBox = o.perBox ?? Number(process.env.INGEST_BENCH_RECORDS_PER_BOX ?? 2500);
  const poolSize = o.pool ?? 8;
  const schema = `bench_ingest_${randomBytes(4).toString('hex')}`;
  const db = await postgresHubDb(URL_, { schema, max: poolSize });
  const admin = new pg.Pool({ connectionString: URL_, options: `-c search_path=${schema}`, max: poolSize });
  try {
    await migrateHub(db);
    await db.query(`CREATE TABLE records_copy (LIKE records INCLUDING ALL)`);
    const work: { deviceId: string; frames: Buffer[]; batches: WireRecord[][] }[] = [];
    for (let b = 0; b < boxes; b++) {
      const { deviceId } = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `bench-${b}` });
      const recs: WireRecord[] = generateRecords(perBox, { seed: 100 + b }).map((r, i) => ({
        seq: i + 1,
        type: r.type,
        sv: r.schemaVersion,
        entity: r.entityId,
        ev: r.entityVersion,
        at: r.createdAt,
        payload: r.payload,
      }));
      const batches: WireRecord[][] = [];
      for (let i = 0; i < recs.length; i += BATCH) batches.push(recs.slice(i, i + BATCH));
      work.push({ deviceId, batches, frames: batches.map((records, i) => encodeFrame({ v: 1, kind: 'records', batch: `b${i}`, records })) });
    }
    const total = boxes * perBox;

    const hubPath = async () => {
      const t = performance.now();
      await Promise.all(
        work.map(async (w) => {
          for (const f of w.frames) {
            const d = decodeFrame('records', f);
            if (!d.ok) throw new Error(d.reason);
            const r = await storeBatch(db, w.deviceId, d.message, d.text);
            if (r.ack.stored.length !== d.message.records.length) throw new Error(`batch not fully stored: ${JSON.stringify(r.ack.rejected[0])}`);
          }
        }),
      );
      return (performance.now() - t) / 1000;
    };
    const upsert = await hubPath();
    const stored = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM records`)).rows[0].n);
    if (stored !== total) throw new Error(`expected ${total} records stored, found ${stored}`);
    const redelivery = await hubPath();
    const after = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM records`)).rows[0].n);
    if (after !== total) throw new Error(`redelivery changed the count: ${after}`);

    const t = performance.now();
    await Promise.all(
      work.map(async (w) => {
        for (const batch of w.batches) {
          const client = await admin.connect();
          try {
            const lines = batch.map((r) => [w.deviceId, r.type, r.sv, r.entity, r.ev, r.seq, JSON.stringify(r.payload), r.at, new Date().toISOString()].map(csv).join(',') + '\n');
            await pipeline(
              Readable.from(lines),
              client.query(
                copyFrom(`COPY records_copy (device_id, type, schema_version, entity_id, entity_version, box_seq, payload, created_at, received_at) FROM STDIN WITH (FORMAT csv)`),
              ),
            );
          } finally {
            client.release();
          }
        }
      }),
    );
    const copy = (performance.now() - t) / 1000;
    const copied = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM records_copy`)).rows[0].n);
    if (copied !== total) throw new Error(`COPY stored ${copied} of ${total}`);

    const row = (name: string, s: number) => [name, total, s.toFixed(2), Math.round(total / s), `${((copy / s) * 100).toFixed(0)}%`];
    printTable(
      `Hub ingest into PostgreSQL (${boxes} boxes × ${perBox} records, batches of ${BATCH}, pool of ${poolSize}; the same rows each way)`,
      ['method', 'records', 'seconds', 'records/s', 'of COPY'],
      [
        row('hub: decode, check, upsert + newest state (storeBatch)', upsert),
        row('hub: the same again, all redeliveries', redelivery),
        row('COPY into a table shaped like records (ceiling)', copy),
      ],
    );
    return { upsertPerSec: total / upsert, copyPerSec: total / copy };
  } finally {
    await admin.end();
    await db.close();
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runIngestBench();
