import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { register } from '../access.ts';
import { builtDir } from './bundles.ts';
import { clipTexts } from './browser/spoken-clips.ts';

/**
 * The waiting-room TV's spoken-call clips (browser/spoken-clips.ts), for a TV whose browser has no
 * Indonesian voice. `npm run build:pages` makes them with espeak-ng into ./built/suara, so a
 * release ships them and the box never runs espeak-ng. A checkout without them (dev, tests) makes
 * a clip on its first request when espeak-ng is installed, as the bundles are built in memory;
 * without either the clip is 404 and the TV chimes only.
 */

export const clipsDir = join(builtDir, 'suara');
const run = promisify(execFile);

/** Quieter than this (of 32767) is silence: espeak-ng pads each word with some, which would leave gaps between clips. */
const silence = 400;
/** Kept either side of the sound so that a word's soft start and end are not cut. */
const marginSeconds = 0.02;

/**
 * espeak-ng's WAV (16-bit mono PCM) with the silence around the word cut away, in a fresh header
 * (espeak-ng writing to stdout leaves the sizes unset).
 */
export function trimmedWav(wav: Buffer): Buffer {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV');
  let at = 12;
  let rate = 22050;
  let data = -1;
  while (at + 8 <= wav.length) {
    const id = wav.toString('ascii', at, at + 4);
    if (id === 'fmt ') {
      if (wav.readUInt16LE(at + 8) !== 1 || wav.readUInt16LE(at + 10) !== 1 || wav.readUInt16LE(at + 22) !== 16) throw new Error('not 16-bit mono PCM');
      rate = wav.readUInt32LE(at + 12);
    }
    if (id === 'data') {
      data = at + 8;
      break;
    }
    at += 8 + wav.readUInt32LE(at + 4);
  }
  if (data < 0) throw new Error('WAV without data');
  const samples = Math.floor((wav.length - data) / 2);
  const loud = (i: number) => Math.abs(wav.readInt16LE(data + 2 * i)) > silence;
  let first = 0;
  while (first < samples && !loud(first)) first++;
  let last = samples - 1;
  while (last > first && !loud(last)) last--;
  const margin = Math.round(rate * marginSeconds);
  const from = Math.max(0, first - margin);
  const to = Math.min(samples, last + 1 + margin);
  const pcm = wav.subarray(data + 2 * from, data + 2 * to);
  return Buffer.concat([wavHeader(rate, pcm.length), pcm]);
}

/**
 * The 44-byte header of a 16-bit mono PCM WAV. `dataBytes` null: sizes left unset (0x7fffffff), as
 * espeak-ng writes a WAV to a pipe, not knowing its length.
 */
export function wavHeader(rate: number, dataBytes: number | null): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(dataBytes === null ? 0x7fffffff : 36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes === null ? 0x7fffffff : dataBytes, 40);
  return header;
}

/** One clip said by espeak-ng's Indonesian voice, a little slower than its default for a waiting room. */
export async function speakClip(text: string): Promise<Buffer> {
  const { stdout } = await run('espeak-ng', ['-v', 'id', '-s', '150', '--stdout', text], { encoding: 'buffer', maxBuffer: 8 << 20 });
  return trimmedWav(stdout);
}

/** `npm run build:pages`: every clip into dir (./built/suara); espeak-ng must be installed where a release is built. */
export async function writeVoiceClips(dir = clipsDir): Promise<number> {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (const [name, text] of Object.entries(clipTexts)) {
    const wav = await speakClip(text);
    writeFileSync(join(dir, `${name}.wav`), wav);
    bytes += wav.length;
  }
  return bytes;
}

const made = new Map<string, Promise<Buffer | null>>();

function clip(name: string): Promise<Buffer | null> {
  let found = made.get(name);
  if (!found) {
    const file = join(clipsDir, `${name}.wav`);
    found = existsSync(file) ? Promise.resolve(readFileSync(file)) : speakClip(clipTexts[name]).catch(() => null);
    made.set(name, found);
  }
  return found;
}

export function registerVoiceClips(app: OpenAPIHono<AppEnv>) {
  register({ method: 'GET', path: '/suara/:clip', access: ['public'], kind: 'page' });
  app.get('/suara/:file{[a-z-]+\\.wav}', async (c) => {
    const name = c.req.param('file').replace(/\.wav$/, '');
    if (!Object.hasOwn(clipTexts, name)) return c.text('not found', 404);
    const wav = await clip(name);
    if (!wav) return c.text('not found', 404);
    // The clips change only with a release; a TV fetches each once a day at most.
    return c.body(new Uint8Array(wav), 200, { 'content-type': 'audio/wav', 'cache-control': 'public, max-age=86400' });
  });
}
