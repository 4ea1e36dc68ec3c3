/**
 * A fixed-window count of attempts per client address, for the hub's one public write route
 * (enrolment with a claim code). Claim codes carry 80 random bits, so guessing one is hopeless
 * anyway; the count keeps a stranger from making the hub check CSRs and hash secrets in a loop,
 * and keeps its log quiet. The clock is injected (tests); memory is bounded: past `maxAddresses`
 * a new address is refused until old windows expire.
 */
export interface Throttle {
  /** True when this attempt is allowed (and counts it); false: wait `retryAfterSeconds`. */
  attempt(address: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function fixedWindowThrottle(o: { perWindow: number; windowMs: number; maxAddresses?: number; now?: () => number }): Throttle {
  const now = o.now ?? Date.now;
  const max = o.maxAddresses ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    attempt(address) {
      const t = now();
      let w = windows.get(address);
      if (w && t - w.start >= o.windowMs) windows.delete(address), (w = undefined);
      if (!w) {
        if (windows.size >= max) for (const [k, v] of windows) if (t - v.start >= o.windowMs) windows.delete(k);
        if (windows.size >= max) return { ok: false, retryAfterSeconds: Math.ceil(o.windowMs / 1000) };
        w = { start: t, count: 0 };
        windows.set(address, w);
      }
      if (w.count >= o.perWindow) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + o.windowMs - t) / 1000)) };
      w.count++;
      return { ok: true };
    },
  };
}
