/**
 * `npm run bench -- status-ingest` (also part of `-- fleet`): the hub's status path against a COPY
 * of the same samples into PostgreSQL, side by side in one run. PostgreSQL at
 * SIMPUL_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its
 * own, dropped afterwards; STATUS_BENCH_BOXES boxes (default 22,400), one report each per pass.
 *
 * The hub's path is the real one: a hub started on that database (embedded broker, idle) and every
 * report handed to `hub.ingest.handle` as its MQTT client would, so the device check, the job
 * expiry and pending-downlink look-ups and the fleet state's batched write (400 reports a flush, as
 * once a second at 22,400 boxes) all count. One pass with the frames an older box sends
 * (dictionary deflate), one with plain JSON (what a box sends now). Measured per pass: wall time
 * (against COPY's) and this process's CPU per report (the hub's cost; PostgreSQL's is its own).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import { boxStatus, decodeFrame, encodeFrame, type BoxStatusV2 } from '../../central/contract/index.ts';
import { startHub } from '../../central/hub.ts';
import { postgresHubDb, type HubDb } from '../../central/storage/db.ts';
import { migrateHub } from '../../central/storage/migrations.ts';
import { enrolSimulatedFleet, type EnrolledSimBox } from '../../central/testing/fleet-enrol.ts';
import { printTable } from './table.ts';

const DB_URL = process.env.SIMPUL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FLUSH_EVERY = 400;
/** Numeric figures per report kept in history. */
const FIGURES = 13;

function sampleStatus(i: number): BoxStatusV2 {
  const now = new Date().toISOString();
  return {
    v: 2,
    kind: 'status',
    at: now,
    hello: false,
    pending: i % 7,
    parked: 0,
    bytesPending: 0,
    oldestPendingAgeSeconds: 12,
    lastSyncAt: now,
    lastError: null,
    sw: '0.1.0',
    bootId: 'ab12-cd34',
    uptimeS: 86_400,
    uncleanStops: 0,
    disk: { free: 30 * 2 ** 30, total: 64 * 2 ** 30 },
    mem: { box: 160 * 2 ** 20, relay: 60 * 2 ** 20 },
    load: 0.4,
    dbBytes: 500 * 2 ** 20,
    backup: { at: now, bytes: 2 ** 28, ok: true },
    clock: { trusted: true, offsetMs: -120 },
    certExpiresAt: new Date(Date.now() + 1e10).toISOString(),
    relay: { calls: 2, good: 2, restarts: 0 },
    queue: { tickets: 80, served: 70, medianWaitS: 900 },
    storage: 'ok',
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU µs per report of each decoding step, on this process (one core). */
function decodeSteps(deflated: Buffer[], plain: Buffer[]) {
  const time = (fn: (i: number) => unknown) => {
    const n = Math.min(deflated.length, 5000);
    for (let i = 0; i < Math.min(n, 500); i++) fn(i);
    const t = cpuMs();
    for (let i = 0; i < n; i++) fn(i);
    return ((cpuMs() - t) * 1000) / n;
  };
  const parsed = plain.map((f) => JSON.parse(f.toString('utf8')));
  return {
    inflateFrame: time((i) => decodeFrame('status', deflated[i])),
    plainFrame: time((i) => decodeFrame('status', plain[i])),
    jsonParse: time((i) => JSON.parse(plain[i].toString('utf8'))),
    zod: time((i) => boxStatus.safeParse(parsed[i])),
  };
}

export async function statusIngestVsCopy(db: HubDb, admin: pg.Pool, boxes: EnrolledSimBox[]) {
  const deflated = boxes.map((_, i) => encodeFrame(sampleStatus(i)));
  const plain = boxes.map((_, i) => encodeFrame(sampleStatus(i), { plain: true }));
  const steps = decodeSteps(deflated, plain);
  const adminToken = randomBytes(18).toString('base64url');
  const hub = await startHub(
    { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', logLevel: 'silent', adminToken },
    { db, log: pino({ level: 'silent' }), fleet: { sweepEveryMs: 0, flushEveryMs: 0 }, alerts: { evaluateEveryMs: 0 }, rolloutEveryMs: 0 },
  );
  const reset = async () => {
    await db.query(`TRUNCATE status_raw, box_state`);
    await db.query(`UPDATE devices SET last_status = NULL, last_seen_at = NULL`);
  };
  const pass = async (frames: Buffer[]) => {
    await reset();
    const wall0 = performance.now();
    const cpu0 = cpuMs();
    for (let i = 0; i < frames.length; i += FLUSH_EVERY) {
      const chunk = [];
      for (let j = i; j < Math.min(i + FLUSH_EVERY, frames.length); j++) chunk.push(hub.ingest.handle(boxes[j].deviceId, 'status', frames[j]));
      await Promise.all(chunk);
      await hub.fleet.flush();
    }
    const out = { ms: performance.now() - wall0, cpuUsPerReport: ((cpuMs() - cpu0) * 1000) / frames.length };
    const n = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_raw`)).rows[0].n;
    if (n !== frames.length) throw new Error(`status bench: ${n} of ${frames.length} reports written`);
    const invalid = [...hub.ingest.invalid.values()].reduce((a, b) => a + b, 0);
    if (invalid) throw new Error(`status bench: ${invalid} reports refused`);
    return out;
  };
  let deflatePass: { ms: number; cpuUsPerReport: number };
  let plainPass: { ms: number; cpuUsPerReport: number };
  try {
    // A warm-up pass (the JIT, the pool's connections, and the hub's first look-up of each box,
    // once per hub process), then the two measured ones: what the hub does every minute.
    await pass(plain);
    deflatePass = await pass(deflated);
    plainPass = await pass(plain);
  } finally {
    await hub.close();
  }

  const { rows } = await db.query<Record<string, unknown>>(`SELECT * FROM status_raw`);
  await db.query(`DROP TABLE IF EXISTS status_raw_copy`);
  await db.query(`CREATE TABLE status_raw_copy (LIKE status_raw INCLUDING ALL)`);
  const cols = Object.keys(rows[0]);
  const csv = (v: unknown) => (v == null ? '' : v instanceof Date ? v.toISOString() : String(v));
  const c = await admin.connect();
  const t1 = performance.now();
  try {
    for (let i = 0; i < rows.length; i += FLUSH_EVERY) {
      const chunk =
        rows
          .slice(i, i + FLUSH_EVERY)
          .map((r) => cols.map((k) => csv(r[k])).join(','))
          .join('\n') + '\n';
      await pipeline(Readable.from([chunk]), c.query(copyFrom(`COPY status_raw_copy (${cols.join(',')}) FROM STDIN WITH (FORMAT csv)`)));
    }
  } finally {
    c.release();
  }
  const copyMs = performance.now() - t1;
  const perS = (n: number, t: number) => Math.round((n / t) * 1000);
  const n = boxes.length;
  const row = (name: string, p: { ms: number; cpuUsPerReport: number }) => [
    name,
    perS(n, p.ms).toLocaleString('en-US'),
    (perS(n, p.ms) * FIGURES).toLocaleString('en-US'),
    `${Math.round(p.cpuUsPerReport)} µs`,
    `${Math.round((100 * copyMs) / p.ms)}%`,
  ];
  printTable(
    `Status ingest path vs COPY (${n.toLocaleString('en-US')} reports a pass, batches of ${FLUSH_EVERY})`,
    ['path', 'reports/s', 'data points/s', 'hub CPU per report', 'of COPY'],
    [
      row('hub: frames of older boxes (dictionary deflate), handle → batched write', deflatePass),
      row('hub: plain JSON frames (boxes now), handle → batched write', plainPass),
      [
        'ceiling: COPY of the same rows into a status_raw copy',
        perS(rows.length, copyMs).toLocaleString('en-US'),
        (perS(rows.length, copyMs) * FIGURES).toLocaleString('en-US'),
        '',
        '100%',
      ],
      ['anchor: ThingsBoard time series on PostgreSQL (their docs)', '', '5,000–10,000', '', ''],
      ['needed: 22,400 boxes every 60 s', '373', (373 * FIGURES).toLocaleString('en-US'), '', ''],
    ],
  );
  printTable(
    'Decoding one status report (CPU µs, one core)',
    ['step', 'µs'],
    [
      ['decodeFrame, dictionary-deflate frame (inflate + JSON.parse + zod)', steps.inflateFrame.toFixed(1)],
      ['decodeFrame, plain JSON frame (JSON.parse + zod)', steps.plainFrame.toFixed(1)],
      ['  of which JSON.parse', steps.jsonParse.toFixed(1)],
      ['  of which zod (boxStatus.safeParse)', steps.zod.toFixed(1)],
    ],
  );
  return { deflatePass, plainPass, copyMs, steps };
}

export async function runStatusIngestBench() {
  const n = Number(process.env.STATUS_BENCH_BOXES ?? 22_400);
  const schema = `bench_status_${randomBytes(4).toString('hex')}`;
  const db = await postgresHubDb(DB_URL, { schema, max: 4 });
  const admin = new pg.Pool({ connectionString: DB_URL, options: `-c search_path=${schema}`, max: 2 });
  try {
    await migrateHub(db);
    const districts = Array.from({ length: 38 * 13 }, (_, i) => `${11 + Math.floor(i / 13)}${String((i % 13) + 1).padStart(2, '0')}`);
    const boxes = await enrolSimulatedFleet(db, { n, districts, prefix: 'sb', scrypt: false });
    await statusIngestVsCopy(db, admin, boxes);
  } finally {
    await admin.end();
    await db.close();
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runStatusIngestBench();
