/**
 * storableTime's check was made cheaper (digits instead of split/map/new Date: it runs five times
 * in every status report): it must accept and refuse exactly what the first version did.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { storableTime } from './storable.ts';

/** The first version, verbatim. */
const firstVersion = z.iso.datetime({ offset: true }).refine((s) => {
  const t = Date.parse(s);
  if (Number.isNaN(t) || Number(s.slice(0, 4)) < 1) return false;
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  const back = new Date(Date.UTC(y, m - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
});

/** A small seeded generator (mulberry32): the same cases every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('storableTime', () => {
  it('accepts and refuses what the first version did, on 30,000 fuzzed date-times', () => {
    const r = random(16);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const years = [0, 1, 50, 99, 100, 101, 999, 1000, 1900, 1970, 2000, 2024, 2025, 2100, 2400, 9999];
    const now = storableTime();
    let accepted = 0;
    for (let i = 0; i < 30_000; i++) {
      const y = r() < 0.5 ? pick(years) : Math.floor(r() * 10_000);
      // Mostly in range, sometimes just outside it (month 0 or 13, day 0 or 32, hour 24, minute 60).
      const n = (lo: number, hi: number) => (r() < 0.9 ? lo + Math.floor(r() * (hi - lo + 1)) : pick([lo - 1, hi + 1]));
      const date = `${pad(y, 4)}-${pad(n(1, 12), 2)}-${pad(n(1, 31), 2)}`;
      const time = `${pad(n(0, 23), 2)}:${pad(n(0, 59), 2)}${pick(['', `:${pad(n(0, 59), 2)}`, `:${pad(n(0, 59), 2)}.${pad(Math.floor(r() * 1000), 3)}`])}`;
      const offset = pick(['Z', 'Z', '+07:00', '-00:00', '+14:00', '-12:30', '+24:00', '', 'z', '+0700']);
      const s = pick([`${date}T${time}${offset}`, `${date}T${time}${offset}`, `${date} ${time}${offset}`, date, `${date}T${time}${offset}x`]);
      const want = firstVersion.safeParse(s).success;
      expect(now.safeParse(s).success, s).toBe(want);
      if (want) accepted++;
    }
    // Both sides of the check were exercised.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(27_000);
  });

  it('refuses a day that is not in its month, and takes 29 February of a leap year only', () => {
    const t = storableTime();
    expect(t.safeParse('2025-02-29T00:00:00Z').success).toBe(false);
    expect(t.safeParse('2024-02-29T00:00:00Z').success).toBe(true);
    expect(t.safeParse('2100-02-29T00:00:00Z').success).toBe(false);
    expect(t.safeParse('2000-02-29T00:00:00+07:00').success).toBe(true);
    expect(t.safeParse('2025-04-31T00:00:00Z').success).toBe(false);
    expect(t.safeParse('0000-01-01T00:00:00Z').success).toBe(false);
  });
});
