/**
 * Counts the box's open live-update connections (server-sent event streams and WebSockets) per
 * client address and in total, so that one phone, or a few, cannot hold enough of them to exhaust
 * the box's memory (8,000 idle streams from one client did). Every stream route takes a lease
 * before it opens its stream and gives it back when the stream ends, whichever side ends it.
 *
 * Staff (a request with a logged-in session) count toward their address's cap but are not refused
 * by the total: the queue desk and the doctor's call must keep working while phones fill the cap.
 * Staff sessions are few and need a password, so they cannot be used to exhaust it.
 */
export interface LiveLimits {
  /** Open streams one client address may hold (IPv6: one /64, which a single phone may rotate through). */
  perAddress: number;
  /** Open streams of all addresses together (staff excepted, see above). */
  total: number;
}

export type LiveRefusal = 'per_address' | 'total';

export interface LiveLease {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

/** Seconds a refused client is asked to wait (pages retry by themselves after 5 s anyway). */
export const liveRetryAfterSeconds = 10;

export class LiveConnections {
  private readonly byAddress = new Map<string, number>();
  private openCount = 0;
  private readonly refused = { per_address: 0, total: 0 };

  constructor(readonly limits: LiveLimits) {}

  acquire(remoteAddress: string | undefined, opts: { staff: boolean }): LiveLease | LiveRefusal {
    const key = addressKey(remoteAddress);
    const mine = this.byAddress.get(key) ?? 0;
    if (mine >= this.limits.perAddress) return this.refuse('per_address');
    if (!opts.staff && this.openCount >= this.limits.total) return this.refuse('total');
    this.byAddress.set(key, mine + 1);
    this.openCount++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.openCount--;
        const left = (this.byAddress.get(key) ?? 1) - 1;
        if (left > 0) this.byAddress.set(key, left);
        else this.byAddress.delete(key);
      },
    };
  }

  private refuse(why: LiveRefusal): LiveRefusal {
    this.refused[why]++;
    return why;
  }

  /** For tests. */
  stats() {
    return { open: this.openCount, addresses: this.byAddress.size };
  }

  /** Refusals since start by reason (for /metrics). */
  refusals(): Readonly<Record<LiveRefusal, number>> {
    return this.refused;
  }
}

/**
 * The key an address is counted under: IPv4 as is (also when Node reports it IPv4-mapped), IPv6
 * by its /64, since one device gets a whole /64 and may pick any address in it.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0].toLowerCase();
  const [head, tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
