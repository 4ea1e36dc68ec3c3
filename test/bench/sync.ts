/**
 * Sync benchmarks: `npx tsx test/bench/sync.ts [encoding|drain|pouchdb]` (drain runs pouchdb beside it).
 * 1. Encoding: bytes per record of each candidate on 10,000 generated records (fixed seed), by batch size.
 * 2. Drain: see runDrainBench.
 * 3. PouchDB: the same records replicated the CHT way, beside our loopback drains (test/bench/sync-pouchdb.ts).
 */
import { deflateRawSync, brotliCompressSync, constants } from 'node:zlib';
import { encode as msgpack } from '@msgpack/msgpack';
import { encode as cbor } from 'cborg';
import { dictionaryV1 } from '../../central/contract/dictionary-v1.ts';
import { generateRecords } from '../../central/testing/records.ts';
import { startStack, type Stack, type StackKind } from '../../central/testing/stack.ts';
import { startTcpProxy, type LinkShape } from '../../central/testing/tcp-proxy.ts';
import { drainInChildBox } from './sync-box.ts';
import { runPouchDbComparison, type DrainResult } from './sync-pouchdb.ts';
import { printTable } from './table.ts';

const wire = (n: number, seed: number) =>
  generateRecords(n, { seed }).map((r, i) => ({
    id: r.id,
    seq: i + 1,
    type: r.type,
    sv: r.schemaVersion,
    entity: r.entityId,
    ev: r.entityVersion,
    at: r.createdAt,
    payload: r.payload,
  }));

export function runEncodingBench() {
  const recs = wire(10_000, 7);
  const dict = Buffer.from(dictionaryV1);
  const enc: Record<string, (b: unknown) => Uint8Array> = {
    json: (b) => Buffer.from(JSON.stringify(b)),
    'json+deflate': (b) => deflateRawSync(JSON.stringify(b), { level: 6 }),
    'json+deflate+dict (chosen)': (b) => deflateRawSync(JSON.stringify(b), { level: 6, dictionary: dict }),
    'json+brotli q5': (b) => brotliCompressSync(JSON.stringify(b), { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
    msgpack: (b) => msgpack(b),
    'msgpack+deflate': (b) => deflateRawSync(msgpack(b), { level: 6 }),
    cbor: (b) => cbor(b),
    'cbor+deflate': (b) => deflateRawSync(cbor(b), { level: 6 }),
  };
  const sizes = [1, 10, 50, 200];
  console.log(`\n## Sync encoding: bytes per record, 10,000 generated records (seed 7)\n`);
  console.log(`| encoding | ${sizes.map((s) => `batch ${s}`).join(' | ')} | ms for 10,000 @200 |`);
  console.log(`|---|${sizes.map(() => '---:').join('|')}|---:|`);
  for (const [name, f] of Object.entries(enc)) {
    const cells: string[] = [];
    let ms = 0;
    for (const size of sizes) {
      let bytes = 0;
      const t = performance.now();
      for (let i = 0; i < recs.length; i += size) bytes += f({ v: 1, kind: 'records', batch: 'AbCdEfGh', records: recs.slice(i, i + size) }).length;
      ms = performance.now() - t;
      cells.push((bytes / recs.length).toFixed(0));
    }
    console.log(`| ${name} | ${cells.join(' | ')} | ${ms.toFixed(0)} |`);
  }
}

/** The settings of a box on a good link and on a 2G one (the shaped run). */
const lan = { syncPollMs: 20, syncBatchMaxRecords: 1000, syncBatchMaxBytes: 1024 * 1024, syncMaxInFlight: 4 };
// No bandwidth cap on 2G: draining a backlog wants the whole link (the ~16 kbit/s cap meant for a
// link shared with the clinic would make 1,000 records take over 80 s by design).
const twoG = { syncPollMs: 200, syncBatchMaxRecords: 200, syncBatchMaxBytes: 256 * 1024, syncMaxInFlight: 4, syncAckTimeoutMs: 60_000, syncBandwidthKbps: 0 };
const twoGLink: LinkShape = { rateBitsPerSec: 64_000, delayMs: 300 };

/** One drain from a new box (enrolled as `device`) into a running hub stack, through a fresh proxy. */
async function drainInto(stack: Stack, device: string, n: number, settings: Record<string, number>, shape?: LinkShape) {
  const u = new URL(stack.mqttUrl);
  const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  try {
    if (shape) proxy.shape(shape);
    const cred = await stack.enrol(device);
    let up0 = 0;
    let down0 = 0;
    const r = await drainInChildBox(
      {
        records: n,
        seed: 7,
        sync: { mqttUrl: proxy.url, deviceId: cred.deviceId, deviceSecret: cred.secret, facility: { code: '0112P001' }, timeZone: 'Asia/Jakarta', ...settings },
      },
      () => ((up0 = proxy.bytesUp), (down0 = proxy.bytesDown)),
    );
    const stored = Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE device_id = $1`, [cred.deviceId])).rows[0].n);
    if (stored !== n) throw new Error(`drain: the hub holds ${stored} of ${n} records`);
    return { seconds: r.seconds, batches: r.batches, up: (proxy.bytesUp - up0) / n, down: (proxy.bytesDown - down0) / n };
  } finally {
    await proxy.close();
  }
}

/**
 * The faster of `runs` drains into one hub stack, each from a new box: as for PouchDB
 * (test/bench/sync-pouchdb.ts), whose server also serves both of its runs. A hub runs for months; its
 * first batch after a cold start pays for connections and compilation once.
 */
async function fasterDrain(kind: StackKind, runs: number, n: number, settings: Record<string, number>, shape?: LinkShape) {
  const stack = await startStack(kind);
  try {
    let best: Awaited<ReturnType<typeof drainInto>> | null = null;
    for (let i = 1; i <= runs; i++) {
      const r = await drainInto(stack, `bench-${i}`, n, settings, shape);
      if (!best || r.seconds < best.seconds) best = r;
    }
    return best!;
  } finally {
    await stack.close();
  }
}

/**
 * Drain: a backlog (10,000 records, about a month of a busy puskesmas) from a box in its own
 * process (durable PGlite) to the hub, bytes counted at the TCP proxy between box and broker; on
 * loopback on both stacks, then 1,000 records over a shaped 2G link (64 kbit/s, 600 ms round trip).
 */
export async function runDrainBench(n = Number(process.env.SYNC_BENCH_RECORDS ?? 10_000)): Promise<DrainResult[]> {
  const rows: (string | number)[][] = [];
  const loopback: DrainResult[] = [];
  const add = (name: string, records: number, settings: Record<string, number>, r: Awaited<ReturnType<typeof drainInto>>) => {
    rows.push([
      name,
      records,
      r.seconds.toFixed(2),
      Math.round(records / r.seconds),
      r.up.toFixed(0),
      r.down.toFixed(1),
      r.batches,
      `${settings.syncBatchMaxRecords} × ${settings.syncMaxInFlight}`,
    ]);
    return { name, records, ...r };
  };
  loopback.push(add('loopback, embedded broker + PGlite hub', n, lan, await fasterDrain('embedded+pglite', 2, n, lan)));
  loopback.push(add('loopback, Mosquitto + PostgreSQL hub', n, lan, await fasterDrain('mosquitto+postgres', 2, n, lan)));
  const slow = Number(process.env.SYNC_BENCH_SHAPED_RECORDS ?? 1000);
  const shaped = add('64 kbit/s, 600 ms round trip, Mosquitto + PostgreSQL', slow, twoG, await fasterDrain('mosquitto+postgres', 1, slow, twoG, twoGLink));
  printTable(
    'Sync drain: a backlog from a box (own process, durable PGlite) to the hub; bytes at the TCP proxy',
    ['link and hub', 'records', 'seconds', 'records/s', 'bytes/record up', 'down', 'batches', 'batch × in flight'],
    rows,
  );
  console.log(`\nBox settings on loopback: ${JSON.stringify(lan)}`);
  console.log(`Box settings on 2G: ${JSON.stringify(twoG)}; link (TCP proxy, each way): ${JSON.stringify(twoGLink)}`);
  console.log(`2G goal, 1,000 records in ≤ 40 s: ${shaped.seconds.toFixed(1)} s for ${slow} records, ${shaped.seconds <= (40 * slow) / 1000 ? 'met' : 'not met'}`);
  return loopback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  if (!only || only === 'encoding') runEncodingBench();
  if (!only || only === 'drain') {
    const ours = await runDrainBench();
    await runPouchDbComparison(ours);
  }
  if (only === 'pouchdb') await runPouchDbComparison([]);
}
