/**
 * Waiting in tests, one way. `until` waits for something to happen: it polls a condition and
 * fails, naming what it waited for, when the time is up. `sleep` is only for pacing (load, chaos)
 * or for giving something the chance to happen that must not (no media before consent); never
 * for waiting until something is done.
 */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` (every `everyMs`) until it returns a truthy value, and returns that value; after
 * `timeoutMs` fails with `timed out waiting for <what>`. The time-out only ends a failing test:
 * a passing one never waits for it.
 */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 20): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
