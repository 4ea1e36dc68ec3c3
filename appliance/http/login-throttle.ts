/**
 * The staff login throttle. Policy (ASVS 2.2.1, NIST SP 800-63B §5.2.2: limit failed attempts
 * without letting an attacker lock a real user out):
 *
 * - Per account and address: the first 5 failures are free; each further try waits a delay that
 *   doubles from 30 s (30 s, 1 min, 2 min …) up to 15 min. So a phone guessing at one account
 *   gets about 100 guesses a day, and only that phone waits: the same account from another
 *   address, and other accounts from the same address (a NAT), are not held up.
 * - Per account, across addresses (a phone that keeps changing its address): after 20 failures,
 *   an address that has never logged in to that account gets one check per 10 s for the account.
 *   That caps distributed guessing at ~8,600 a day (NIST's ceiling is 100 consecutive failures
 *   before a lockout; we never lock, we slow), and a staff member on a new device waits at most
 *   10 s per try. An address that has logged in to the account before is not held by this ceiling.
 * - Failures are forgotten 24 h after the last one; a success forgets the address's failures.
 *
 * An attempt is counted as a failure *before* the password is checked (scrypt takes tens of ms),
 * so guesses sent at once cannot all be evaluated before the first failure lands: a success then
 * takes its count back. Kept in memory; a restart forgives.
 */
export const throttlePolicy = {
  freeFailures: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  accountCeiling: 20,
  accountIntervalMs: 10_000,
  forgetAfterMs: 24 * 3_600_000,
  maxEntries: 20_000,
} as const;

interface PairState {
  failures: number;
  /** No check before this instant (ms). */
  notBefore: number;
  last: number;
}
interface AccountState {
  failures: number;
  notBefore: number;
  last: number;
  /** Addresses that have logged in to this account (exempt from the account ceiling). */
  known: Set<string>;
}

export type Attempt = { wait: number } | { wait: 0; succeeded(): void };

export class LoginThrottle {
  private pairs = new Map<string, PairState>();
  private accounts = new Map<string, AccountState>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Asks to check a password for `account` from `address`. Returns how long to wait (ms) when
   * the check may not run now; otherwise the attempt is already counted as a failure and the
   * caller calls `succeeded()` if the password was right.
   */
  begin(account: string, address: string): Attempt {
    const now = this.now();
    const p = throttlePolicy;
    const pairKey = `${account}\u0000${address}`;
    let pair = this.pairs.get(pairKey);
    if (pair && now - pair.last > p.forgetAfterMs) pair = undefined;
    let acct = this.accounts.get(account);
    if (acct && now - acct.last > p.forgetAfterMs) acct = { failures: 0, notBefore: 0, last: now, known: acct.known };

    let wait = pair ? Math.max(0, pair.notBefore - now) : 0;
    const knownHere = acct?.known.has(address) ?? false;
    const overCeiling = !!acct && acct.failures >= p.accountCeiling && !knownHere;
    if (overCeiling) wait = Math.max(wait, acct!.notBefore - now);
    if (wait > 0) return { wait };

    // Count it now, before the slow hash.
    pair ??= { failures: 0, notBefore: 0, last: now };
    pair.failures++;
    pair.last = now;
    if (pair.failures >= p.freeFailures) {
      pair.notBefore = now + Math.min(p.firstDelayMs * 2 ** (pair.failures - p.freeFailures), p.maxDelayMs);
    }
    acct ??= { failures: 0, notBefore: 0, last: now, known: new Set() };
    acct.failures++;
    acct.last = now;
    if (overCeiling || acct.failures >= p.accountCeiling) acct.notBefore = now + p.accountIntervalMs;
    this.pairs.set(pairKey, pair);
    this.accounts.set(account, acct);
    this.bound(now);

    const a = acct;
    return {
      wait: 0,
      succeeded: () => {
        this.pairs.delete(pairKey);
        a.failures = Math.max(0, a.failures - 1);
        a.known.add(address);
      },
    };
  }

  /**
   * Keeps memory bounded against made-up usernames: drop what is forgotten anyway, then the
   * oldest-touched entries. Entries of accounts with a known address are kept first.
   */
  private bound(now: number) {
    const { maxEntries, forgetAfterMs } = throttlePolicy;
    if (this.pairs.size + this.accounts.size <= maxEntries) return;
    for (const [k, v] of this.pairs) if (now - v.last > forgetAfterMs) this.pairs.delete(k);
    for (const [k, v] of this.accounts) if (now - v.last > forgetAfterMs && v.known.size === 0) this.accounts.delete(k);
    for (const map of [this.pairs, this.accounts] as Map<string, { last: number; known?: Set<string> }>[]) {
      const excess = map.size - maxEntries / 2;
      if (excess <= 0) continue;
      const oldest = [...map.entries()]
        .filter(([, v]) => !v.known?.size)
        .sort((x, y) => x[1].last - y[1].last)
        .slice(0, excess);
      for (const [k] of oldest) map.delete(k);
    }
  }
}
