/**
 * A relay clock that tests move on by hand: housekeeping ticks (consent polls, keyframe retries,
 * quality readings) and keyframe spacing happen when the test says so, not after a sleep.
 */
import type { RelayClock } from './clock.ts';

export class ManualClock implements RelayClock {
  private t = 0;
  private readonly timers = new Set<{ due: number; ms: number; fn: () => void }>();

  now() {
    return this.t;
  }

  every(ms: number, fn: () => void) {
    const timer = { due: this.t + ms, ms, fn };
    this.timers.add(timer);
    return { clear: () => void this.timers.delete(timer) };
  }

  /** Moves time on by `ms`, firing each timer as it falls due, and lets the work they start finish. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.due - b.due)[0];
      if (!next || next.due > end) break;
      this.t = next.due;
      next.due += next.ms;
      next.fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.t = end;
  }
}
