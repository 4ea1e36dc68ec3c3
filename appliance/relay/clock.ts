/**
 * The relay's time: a monotonic reading in milliseconds, and the repeating timer of its
 * housekeeping. Injected so that tests move time on by hand instead of sleeping for polls and
 * spacing; the system's clock otherwise.
 */
export interface RelayClock {
  /** Monotonic milliseconds (as performance.now()). */
  now(): number;
  /** Calls `fn` every `ms` until cleared; never keeps the process alive by itself. */
  every(ms: number, fn: () => void): { clear(): void };
}

export const systemClock: RelayClock = {
  now: () => performance.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { clear: () => clearInterval(t) };
  },
};
