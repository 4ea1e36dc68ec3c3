import { deflateRawSync, brotliCompressSync, constants } from 'node:zlib';
import { encode as mp } from '@msgpack/msgpack';
import { encode as cb } from 'cborg';
import { generateRecords } from '../central/testing/records.ts';
const recs = generateRecords(10000, { seed: 7 }).map((r, i) => ({ id: r.id, seq: i + 1, type: r.type, sv: r.schemaVersion, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }));
const dictRecs = generateRecords(60, { seed: 999 }).map((r, i) => ({ id: r.id, seq: i + 1, type: r.type, sv: r.schemaVersion, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }));
const dict = Buffer.from(JSON.stringify(dictRecs)).subarray(-32768);
const enc: Record<string, (b: unknown) => Uint8Array> = {
  json: (b) => Buffer.from(JSON.stringify(b)),
  'json+deflate': (b) => deflateRawSync(JSON.stringify(b), { level: 9 }),
  'json+deflate+dict': (b) => deflateRawSync(JSON.stringify(b), { level: 9, dictionary: dict }),
  'json+brotli': (b) => brotliCompressSync(JSON.stringify(b), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  msgpack: (b) => mp(b),
  'msgpack+deflate': (b) => deflateRawSync(mp(b), { level: 9 }),
  cbor: (b) => cb(b),
  'cbor+deflate': (b) => deflateRawSync(cb(b), { level: 9 }),
};
for (const size of [1, 10, 50, 200]) {
  const row: string[] = [];
  for (const [name, f] of Object.entries(enc)) {
    let bytes = 0; const t = performance.now();
    for (let i = 0; i < recs.length; i += size) bytes += f({ v: 1, batch: 'x', records: recs.slice(i, i + size) }).length;
    row.push(`${name}=${(bytes / recs.length).toFixed(0)}B (${(performance.now() - t).toFixed(0)}ms)`);
  }
  console.log(`batch ${size}: ${row.join('  ')}`);
}
