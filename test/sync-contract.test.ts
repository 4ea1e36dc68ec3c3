import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkRecord,
  decodeFrame,
  deviceMayPublish,
  deviceMaySubscribe,
  encodeFrame,
  encodeRecordBatch,
  findUnstorable,
  isStorableText,
  MAX_ENTITY_VERSION,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_DEPTH,
  parseTopic,
  topics,
  type RecordBatch,
} from '../central/contract/index.ts';
import { dictionaryV1 } from '../central/contract/dictionary-v1.ts';
import { generateRecords } from '../central/testing/records.ts';

const batchOf = (n: number, seed = 1): RecordBatch => ({
  v: 1,
  kind: 'records',
  batch: 'b1',
  records: generateRecords(n, { seed }).map((r, i) => ({
    seq: i + 1,
    type: r.type,
    sv: r.schemaVersion,
    entity: r.entityId,
    ev: r.entityVersion,
    at: r.createdAt,
    payload: r.payload,
  })),
});

describe('wire contract', () => {
  it('a batch survives encode and decode unchanged, at about a fifth of its JSON size', () => {
    const b = batchOf(50);
    const frame = encodeFrame(b);
    expect(frame[0]).toBe(0x01);
    const d = decodeFrame('records', frame);
    expect(d).toMatchObject({ ok: true, message: b });
    expect(frame.length).toBeLessThan(JSON.stringify(b).length / 4);
  });

  it('a big batch goes as brotli, and a batch spliced from records in JSON text decodes the same', async () => {
    const b = batchOf(600, 2);
    const frame = await encodeRecordBatch(b.batch, JSON.stringify(b.records));
    expect(frame[0]).toBe(0x02);
    expect(decodeFrame('records', frame)).toMatchObject({ ok: true, message: b });
    expect(frame.length).toBeLessThan(deflateRawSync(JSON.stringify(b), { level: 6, dictionary: Buffer.from(dictionaryV1) }).length);
  });

  it('every generated record is one the hub accepts', () => {
    for (const r of batchOf(2000, 3).records) expect(checkRecord(r), `${r.type} ${r.entity}`).toBeNull();
  });

  it('plain JSON frames are accepted too (debugging with mosquitto_pub)', () => {
    const b = batchOf(2);
    expect(decodeFrame('records', encodeFrame(b, { plain: true }))).toMatchObject({ ok: true, message: b });
  });

  it.each([
    ['an empty frame', Buffer.alloc(0), /empty/],
    ['an unknown format byte', Buffer.from([0x07, 1, 2, 3]), /unknown frame format 0x07/],
    ['a corrupt deflate stream', Buffer.from([0x01, 0xff, 0xff, 0xff, 0x00]), /corrupt compressed/],
    ['a corrupt brotli stream', Buffer.from([0x02, 0xff, 0xff, 0xff, 0x00]), /corrupt compressed/],
    ['not JSON', Buffer.from('{not json'), /not JSON/],
    ['the wrong version', Buffer.from(JSON.stringify({ ...batchOf(1), v: 2 })), /records\b.*v/],
    ['a record with a negative seq', Buffer.from(JSON.stringify({ v: 1, kind: 'records', batch: 'x', records: [{ ...batchOf(1).records[0], seq: -1 }] })), /records\.0\.seq/],
    ['an unknown field', Buffer.from(JSON.stringify({ ...batchOf(1), extra: 1 })), /not a valid records message/],
    ['a frame over the size limit', Buffer.alloc(MAX_FRAME_BYTES + 1, 0x7b), /over the limit/],
    ['a deflate bomb', Buffer.concat([Buffer.of(1), deflateRawSync(`{"v":1,"x":"${' '.repeat(5 * 1024 * 1024)}"}`, { dictionary: Buffer.from(dictionaryV1) })]), /inflates beyond/],
    ['a brotli bomb', Buffer.concat([Buffer.of(2), brotliCompressSync(`{"v":1,"x":"${' '.repeat(5 * 1024 * 1024)}"}`)]), /inflates beyond/],
  ])('rejects %s with a reason, never throwing', (_name, frame, reason) => {
    const d = decodeFrame('records', frame);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(reason);
  });

  it('checks what is inside a record: type, schema version, id and version', () => {
    const r = batchOf(1).records[0];
    expect(checkRecord({ ...r, type: 'x_unknown' })).toMatch(/unknown record type/);
    expect(checkRecord({ ...r, sv: 9 })).toMatch(/schema version 9 not supported/);
    expect(checkRecord({ ...r, type: 'referral', payload: { hello: 1 } })).toMatch(/referral payload invalid at id/);
    const ref = batchOf(400, 5).records.find((x) => x.type === 'referral')!;
    expect(checkRecord({ ...ref, ev: ref.ev + 1 })).toMatch(/payload version/);
  });

  it('refuses, one record at a time, what the hub’s database could not store', () => {
    const r = batchOf(1).records[0];
    const deep = (n: number) => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = { x: v };
      return v;
    };
    expect(checkRecord({ ...r, payload: { ...(r.payload as object), note: 'a\u0000b' } })).toMatch(/payload\.note contains a NUL/);
    expect(checkRecord({ ...r, payload: { ...(r.payload as object), 'k\u0000': 1 } })).toMatch(/a key in payload contains a NUL/);
    expect(checkRecord({ ...r, payload: { ...(r.payload as object), note: '\udc00x' } })).toMatch(/lone UTF-16 surrogate/);
    expect(checkRecord({ ...r, payload: { ...(r.payload as object), n: Infinity } })).toMatch(/number out of range/);
    expect(checkRecord({ ...r, ev: MAX_ENTITY_VERSION + 1 })).toMatch(/record invalid at ev/);
    expect(checkRecord({ ...r, entity: 'a\u0000' })).toMatch(/record invalid at entity/);
    expect(checkRecord({ ...r, at: '0000-01-01T00:00:00Z' })).toMatch(/record invalid at at/);
    expect(checkRecord({ seq: 1, type: r.type } as never)).toMatch(/record invalid at sv/);
    // A pair is fine; so is an emoji; nesting up to the limit is fine, beyond it not, and never a stack overflow.
    expect(isStorableText('😷 batuk')).toBe(true);
    expect(findUnstorable(deep(MAX_PAYLOAD_DEPTH))).toBeNull();
    expect(findUnstorable(deep(MAX_PAYLOAD_DEPTH + 1))).toMatch(/nests deeper than 32/);
    expect(findUnstorable(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toMatch(/nests deeper/);
  });

  it('an envelope with one bad record still decodes: the record is judged alone', () => {
    const b = batchOf(3);
    const frame = encodeFrame({ ...b, records: [b.records[0], { ...b.records[1], ev: 0, extra: 1 }, b.records[2]] });
    const d = decodeFrame('records', frame);
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.message.records.map((x) => checkRecord(x) === null)).toEqual([true, false, true]);
  });

  it('topics name the device, and a device may use only its own', () => {
    expect(topics.records('box-a1')).toBe('simpul/v1/box-a1/up/records');
    expect(parseTopic('simpul/v1/box-a1/up/records')).toEqual({ deviceId: 'box-a1', channel: 'records' });
    expect(parseTopic('simpul/v1/box-a1/down/messages')).toEqual({ deviceId: 'box-a1', channel: 'down' });
    expect(parseTopic('simpul/v1/Box+/up/records')).toBeNull();
    expect(parseTopic('other/v1/box-a1/up/records')).toBeNull();
    expect(deviceMayPublish('box-a1', 'simpul/v1/box-a1/up/records')).toBe(true);
    expect(deviceMayPublish('box-a1', 'simpul/v1/box-b1/up/records')).toBe(false);
    expect(deviceMayPublish('box-a1', 'simpul/v1/box-a1/ack')).toBe(false);
    expect(deviceMaySubscribe('box-a1', 'simpul/v1/box-a1/down/#')).toBe(true);
    expect(deviceMaySubscribe('box-a1', 'simpul/v1/box-a1/ack')).toBe(true);
    expect(deviceMaySubscribe('box-a1', 'simpul/v1/box-b1/down/#')).toBe(false);
    expect(deviceMaySubscribe('box-a1', 'simpul/v1/+/down/#')).toBe(false);
    expect(deviceMaySubscribe('box-a1', '#')).toBe(false);
    expect(deviceMaySubscribe('box-a1', '$share/g/simpul/v1/box-a1/down/#')).toBe(false);
  });
});
