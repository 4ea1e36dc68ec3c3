import { describe, expect, it } from 'vitest';
import { speakClip, trimmedWav, wavHeader } from './voice-clips.ts';

/** A 16-bit mono WAV as espeak-ng writes to stdout: sizes unset, silence around the sound. */
function wav(samples: number[], rate = 22050): Buffer {
  const pcm = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => pcm.writeInt16LE(s, i * 2));
  return Buffer.concat([wavHeader(rate, null), pcm]);
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
