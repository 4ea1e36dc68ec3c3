/**
 * Frames on the wire. Chosen by measurement (test/bench/sync.ts, 10,000 generated records, bytes per
 * record): JSON 814 B; MessagePack 687; CBOR 691; batched 200 with deflate: JSON 167, MessagePack
 * 169, CBOR 171; brotli q5 157 but no faster; a single record: JSON+deflate 488 B, with a preset
 * dictionary 272. Binary encodings win nothing once compressed and cost a dependency, so a frame
 * is JSON, compressed by whichever of two wins at its size:
 *
 *   byte 0 = 0x01 (format 1: deflate-raw, dictionary v1), then the deflate stream: small frames,
 *            where the dictionary counts most (10 records: 192 B/record, brotli 240).
 *   byte 0 = 0x02 (format 2: brotli, 4 MiB window), from 64 KiB of JSON on: the big window
 *            finds a patient's id again hundreds of records later. Quality 4 (1,000 records:
 *            131 B/record in 13 ms) rather than 5 (125 B in 29 ms) or deflate (139 B in 15 ms):
 *            the box's two cores are the drain's limit, not the bytes.
 *   A frame starting with '{' is plain JSON: what a box sends its status as (encodeStatusFrame),
 *            and handy for debugging with mosquitto_pub/sub. Every hub has read it, so the box
 *            needs no newer hub; boxes from before it send status as format 1, still read.
 *            Why: a status is ~680 B of JSON, 381 B deflated, once a minute (the link is not the
 *            limit), and inflating it (a zlib context and the 32 KiB dictionary per frame) was
 *            most of the hub's decoding cost at 22,400 boxes (test/bench/status-ingest.ts).
 *
 * This file is the contract's one Node-only import (node:zlib, for the dictionary that
 * CompressionStream lacks); a browser reads format 1 with any raw-inflate that takes a dictionary.
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants, deflateRaw, deflateRawSync, inflateRawSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { z } from 'zod';
import { dictionaryV1 } from './dictionary-v1.ts';
import { MAX_FRAME_BYTES, MAX_INFLATED_BYTES } from './limits.ts';
import { channelSchemas, type BoxStatus } from './messages.ts';
import type { Channel } from './topics.ts';

export const FORMAT_DEFLATE_DICT_V1 = 0x01;
export const FORMAT_BROTLI = 0x02;
const BROTLI_FROM_BYTES = 64 * 1024;
const dictionary = Buffer.from(dictionaryV1, 'utf8');

export class FrameTooLargeError extends Error {}

export function encodeFrame(message: unknown, opts: { plain?: boolean } = {}): Buffer {
  return encodeJsonFrame(JSON.stringify(message), opts);
}

const brotliAsync = promisify<string, BrotliOptions, Buffer>(brotliCompress);
const deflateRawAsync = promisify<string, ZlibOptions, Buffer>(deflateRaw);
const brotliOptions = (json: string): BrotliOptions => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_LGWIN]: 22, [constants.BROTLI_PARAM_SIZE_HINT]: json.length },
});
const deflateOptions: ZlibOptions = { level: 6, dictionary };

function withinLimit(frame: Buffer): Buffer {
  if (frame.length > MAX_FRAME_BYTES) throw new FrameTooLargeError(`frame of ${frame.length} bytes over the limit of ${MAX_FRAME_BYTES}`);
  return frame;
}

const framed = (format: number, body: Buffer) => withinLimit(Buffer.concat([Buffer.of(format), body]));

/** A status report as the box sends it: plain JSON (see the formats above). */
export function encodeStatusFrame(status: BoxStatus): Buffer {
  return encodeJsonFrame(JSON.stringify(status), { plain: true });
}

/** A message already in JSON text; the caller vouches that it satisfies its channel's schema. */
export function encodeJsonFrame(json: string, opts: { plain?: boolean } = {}): Buffer {
  if (opts.plain) return withinLimit(Buffer.from(json, 'utf8'));
  return json.length >= BROTLI_FROM_BYTES
    ? framed(FORMAT_BROTLI, brotliCompressSync(json, brotliOptions(json)))
    : framed(FORMAT_DEFLATE_DICT_V1, deflateRawSync(json, deflateOptions));
}

/**
 * A records batch from its records already in JSON text, an array of WireRecords (as the box's
 * database builds it): spliced in rather than parsed and serialised again (measured: a third of
 * the box's work per batch). The caller vouches for its shape; the hub validates every record.
 * Compressed on libuv's thread pool: on the box the main thread is also the database's (PGlite
 * runs in it).
 */
export async function encodeRecordBatch(batch: string, recordsJson: string): Promise<Buffer> {
  const json = `{"v":1,"kind":"records","batch":${JSON.stringify(batch)},"records":${recordsJson}}`;
  return json.length >= BROTLI_FROM_BYTES
    ? framed(FORMAT_BROTLI, await brotliAsync(json, brotliOptions(json)))
    : framed(FORMAT_DEFLATE_DICT_V1, await deflateRawAsync(json, deflateOptions));
}

/** `text`: the message's JSON as received, for a store that hands it on (no second JSON.stringify). */
export type Decoded<T> = { ok: true; message: T; text: string } | { ok: false; reason: string };

/** Never throws: a frame that is too big, corrupt, not JSON or not the channel's schema gives a reason. */
export function decodeFrame<C extends Channel>(channel: C, frame: Uint8Array): Decoded<z.infer<(typeof channelSchemas)[C]>> {
  if (frame.length === 0) return { ok: false, reason: 'empty frame' };
  if (frame.length > MAX_FRAME_BYTES) return { ok: false, reason: `frame of ${frame.length} bytes over the limit of ${MAX_FRAME_BYTES}` };
  let text: string;
  try {
    if (frame[0] === FORMAT_DEFLATE_DICT_V1) {
      text = inflateRawSync(frame.subarray(1), { dictionary, maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } else if (frame[0] === FORMAT_BROTLI) {
      text = brotliDecompressSync(frame.subarray(1), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } else if (frame[0] === 0x7b) {
      text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8');
    } else {
      return { ok: false, reason: `unknown frame format 0x${frame[0].toString(16).padStart(2, '0')}` };
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? `inflates beyond ${MAX_INFLATED_BYTES} bytes` : `corrupt compressed stream (${code ?? (e as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const res = channelSchemas[channel].safeParse(json);
  if (!res.success) {
    const i = res.error.issues[0];
    return { ok: false, reason: `not a valid ${channel} message: ${i.path.join('.') || '(top)'}: ${i.message}` };
  }
  return { ok: true, message: res.data as z.infer<(typeof channelSchemas)[C]>, text };
}
