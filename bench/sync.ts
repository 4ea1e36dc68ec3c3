/**
 * Sync benchmarks: `npx tsx bench/sync.ts [encoding|drain]`.
 * 1. Encoding: bytes per record of each candidate on 10,000 generated records (fixed seed), by batch size.
 * 2. Drain: a 10,000-record backlog from a box (in-memory PGlite) to the hub (embedded broker,
 *    in-memory PGlite or PostgreSQL with SIMPUL_BENCH_PG=1) on loopback, bytes counted at a TCP proxy.
 * Baseline from the issue: PouchDB → pouchdb-server, 10,000 referral docs: 3.4 s, ~630 B/doc sent.
 */
import { deflateRawSync, brotliCompressSync, constants } from 'node:zlib';
import { encode as msgpack } from '@msgpack/msgpack';
import { encode as cbor } from 'cborg';
import pino from 'pino';
import { dictionaryV1 } from '../central/contract/dictionary-v1.ts';
import { generateRecords } from '../central/testing/records.ts';
import { startStack, until } from '../central/testing/stack.ts';
import { startTcpProxy } from '../central/testing/tcp-proxy.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { appendOutbox, type OutboxType } from '../appliance/clinic/outbox.ts';
import { startSync } from '../appliance/sync/index.ts';

const wire = (n: number, seed: number) =>
  generateRecords(n, { seed }).map((r, i) => ({ id: r.id, seq: i + 1, type: r.type, sv: r.schemaVersion, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }));

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

export async function runDrainBench(n = 10_000) {
  const kind = process.env.SIMPUL_BENCH_PG ? 'mosquitto+postgres' : 'embedded+pglite';
  const stack = await startStack(kind);
  const u = new URL(stack.mqttUrl);
  const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  const box = new GroupCommitDb(await openMemoryDatabase());
  const cred = await stack.enrol('bench');
  const recs = generateRecords(n, { seed: 7 });
  for (let i = 0; i < recs.length; i += 500) {
    await box.transaction(async (tx) => {
      for (const r of recs.slice(i, i + 500)) await appendOutbox(tx, { type: r.type as OutboxType, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload });
    });
  }
  const t0 = performance.now();
  const sync = await startSync({
    db: box, log: pino({ level: 'silent' }),
    config: { mqttUrl: proxy.url, deviceId: cred.deviceId, deviceSecret: cred.secret, facility: { code: '0112P001' }, timeZone: 'Asia/Jakarta', syncPollMs: 20, syncBatchMaxRecords: 500, syncBatchMaxBytes: 512 * 1024 },
  });
  await until(async () => (await sync.stats()).pending === 0, 'drain', 300_000, 20);
  const s = (performance.now() - t0) / 1000;
  console.log(`\n## Sync drain on loopback (${kind}, hub storage in memory; box: PGlite in memory)\n`);
  console.log(`| records | seconds | records/s | wire bytes/record up | down |`);
  console.log(`|---:|---:|---:|---:|---:|`);
  console.log(`| ${n} | ${s.toFixed(2)} | ${Math.round(n / s)} | ${(proxy.bytesUp / n).toFixed(0)} | ${(proxy.bytesDown / n).toFixed(0)} |`);
  await sync.close();
  await proxy.close();
  await box.close();
  await stack.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  if (!only || only === 'encoding') runEncodingBench();
  if (!only || only === 'drain') await runDrainBench();
}
