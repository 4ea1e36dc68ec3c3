/**
 * Frames on the wire. Chosen by measurement (bench/sync.ts, 10,000 generated records, bytes per
 * record): JSON 814 B; MessagePack 687; CBOR 691; batched 200 with deflate: JSON 167, MessagePack
 * 169, CBOR 171; brotli q5 157 but no faster; a single record: JSON+deflate 488 B, with a preset
 * dictionary 272. Binary encodings win nothing once compressed and cost a dependency, so a frame
 * is JSON, raw-deflated with a frozen 16 KiB dictionary:
 *
 *   byte 0 = 0x01 (format 1: deflate-raw, dictionary v1), then the deflate stream.
 *   A frame starting with '{' is plain JSON (accepted, for debugging with mosquitto_pub/sub).
 *
 * This file is the contract's one Node-only import (node:zlib, for the dictionary that
 * CompressionStream lacks); a browser reads format 1 with any raw-inflate that takes a dictionary.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { z } from 'zod';
import { dictionaryV1 } from './dictionary-v1.ts';
import { MAX_FRAME_BYTES, MAX_INFLATED_BYTES } from './limits.ts';
import { channelSchemas } from './messages.ts';
import type { Channel } from './topics.ts';

export const FORMAT_DEFLATE_DICT_V1 = 0x01;
const dictionary = Buffer.from(dictionaryV1, 'utf8');

export class FrameTooLargeError extends Error {}

export function encodeFrame(message: unknown, opts: { plain?: boolean } = {}): Buffer {
  const json = JSON.stringify(message);
  const frame = opts.plain
    ? Buffer.from(json, 'utf8')
    : Buffer.concat([Buffer.of(FORMAT_DEFLATE_DICT_V1), deflateRawSync(json, { level: 6, dictionary })]);
  if (frame.length > MAX_FRAME_BYTES) throw new FrameTooLargeError(`frame of ${frame.length} bytes over the limit of ${MAX_FRAME_BYTES}`);
  return frame;
}

export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Never throws: a frame that is too big, corrupt, not JSON or not the channel's schema gives a reason. */
export function decodeFrame<C extends Channel>(channel: C, frame: Uint8Array): Decoded<z.infer<(typeof channelSchemas)[C]>> {
  if (frame.length === 0) return { ok: false, reason: 'empty frame' };
  if (frame.length > MAX_FRAME_BYTES) return { ok: false, reason: `frame of ${frame.length} bytes over the limit of ${MAX_FRAME_BYTES}` };
  let text: string;
  try {
    if (frame[0] === FORMAT_DEFLATE_DICT_V1) {
      text = inflateRawSync(frame.subarray(1), { dictionary, maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } else if (frame[0] === 0x7b) {
      text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8');
    } else {
      return { ok: false, reason: `unknown frame format 0x${frame[0].toString(16).padStart(2, '0')}` };
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? `inflates beyond ${MAX_INFLATED_BYTES} bytes` : `corrupt deflate stream (${code ?? (e as Error).message})` };
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
  return { ok: true, message: res.data as z.infer<(typeof channelSchemas)[C]> };
}
