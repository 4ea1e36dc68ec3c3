/**
 * The box's reconnect backoff with the default settings, on an injected clock and random source:
 * a link that comes back is used within the cap (30 s), where the old 5-minute cap left a box
 * that lost its link for 53 s waiting 58 s more; and thousands of boxes that lost the hub together
 * do not come back together.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../appliance/sync/link.ts';
import { syncSettingsSchema } from '../appliance/sync/settings.ts';
import { seededRandom } from '../central/testing/records.ts';

const defaults = syncSettingsSchema.parse({});

/**
 * One box's connect attempts while its link is down from 0 to `outageMs`: each attempt during
 * the outage fails after `failMs` (refused at once, or hanging to the connect timeout). Returns
 * when the first attempt after the link is back starts.
 */
function firstAttemptAfter(outageMs: number, failMs: number, random: () => number): number {
  let t = 0;
  for (let attempt = 0; ; attempt++) {
    if (t >= outageMs) return t;
    t += failMs; // the attempt fails
    t += backoffDelay(attempt, defaults.syncBackoffMinMs, defaults.syncBackoffMaxMs, random, failMs);
  }
}

describe('reconnect backoff', () => {
  it('after a 53 s cut the box tries again within the 30 s cap, whatever the draw and however its attempts fail', () => {
    expect(defaults.syncBackoffMaxMs).toBe(30_000);
    for (const draw of [0, 0.5, 0.999999]) {
      for (const failMs of [5, 20_000]) {
        const back = firstAttemptAfter(53_000, failMs, () => draw);
        expect(back - 53_000, `draw ${draw}, attempts failing after ${failMs} ms`).toBeLessThanOrEqual(30_000);
      }
    }
    // Any attempt count: never more than the cap.
    for (let attempt = 0; attempt < 60; attempt++) expect(backoffDelay(attempt, defaults.syncBackoffMinMs, defaults.syncBackoffMaxMs, () => 0.999999)).toBeLessThanOrEqual(30_000);
  });

  it('a larger setting is held to 60 s', () => {
    expect(syncSettingsSchema.parse({ syncBackoffMaxMs: 300_000 }).syncBackoffMaxMs).toBe(60_000);
  });

  it('10,000 boxes that lost the hub at the same moment come back spread out, not in one burst', () => {
    const boxes = 10_000;
    const random = seededRandom(42).next;
    const perSecond = new Map<number, number>();
    for (let b = 0; b < boxes; b++) {
      // Each box's attempts over 5 minutes of the hub being away (each refused at once).
      let t = 0;
      for (let attempt = 0; t < 300_000; attempt++) {
        const s = Math.floor(t / 1000);
        if (t >= 120_000) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
        t += backoffDelay(attempt, defaults.syncBackoffMinMs, defaults.syncBackoffMaxMs, random);
      }
    }
    // Settled at the cap, attempts spread over its upper half (15–30 s): about boxes / 22.5 a second.
    const busiest = Math.max(...perSecond.values());
    expect(busiest).toBeLessThan((boxes / 22.5) * 1.5);
    expect(perSecond.size).toBe(180); // every second of the window sees some attempts
  });
});
