import { describe, expect, it } from 'vitest';
import { speakClip, trimmedWav } from './voice-clips.ts';

/** A 16-bit mono WAV as espeak-ng writes to stdout: sizes unset, silence around the sound. */
function wav(samples: number[], rate = 22050): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(0x7fffffff, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(0x7fffffff, 40);
  const pcm = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => pcm.writeInt16LE(s, i * 2));
  return Buffer.concat([header, pcm]);
}

describe("the spoken-call clips' sound", () => {
  it('cuts the silence around a word, keeping 20 ms either side, with the sizes set', () => {
    const rate = 1000;
    const sound = Array.from({ length: 100 }, (_, i) => (i % 2 ? 5000 : -5000));
    const out = trimmedWav(wav([...new Array(300).fill(10), ...sound, ...new Array(400).fill(-10)], rate));
    expect(out.readUInt32LE(40)).toBe((20 + 100 + 20) * 2);
    expect(out.readUInt32LE(4)).toBe(36 + 140 * 2);
    expect(out.readUInt32LE(24)).toBe(rate);
    expect(out.readInt16LE(44 + 20 * 2)).toBe(-5000);
    expect(() => trimmedWav(Buffer.from('not a wav at all, really'))).toThrow(/not a WAV/);
  });

  it('espeak-ng says a word in Indonesian as a short clip', async () => {
    const clip = await speakClip('dua belas');
    expect(clip.toString('ascii', 0, 4)).toBe('RIFF');
    const seconds = clip.readUInt32LE(40) / 2 / clip.readUInt32LE(24);
    expect(seconds).toBeGreaterThan(0.3);
    expect(seconds).toBeLessThan(2);
  }, 30_000);
});
