import { addressKey } from './live-connections.ts';

/**
 * Bounds the numbers phones take without an account. Every ticket of the day stays in the queue's
 * memory (about 600 bytes each) and on the TV, so a script on the clinic Wi-Fi taking numbers in a
 * loop would fill the waiting line with fake patients and, at thousands a second, the box's heap
 * within a minute. A phone may take a few numbers a day (a mother for her children, a second poli);
 * the box as a whole takes at most `perDay` from phones, far above any puskesmas's day. The desk's
 * own tickets (staff, `source: desk`) are not counted: a patient without a phone is never refused.
 *
 * Loopback is not held to the per-address count: it is the box itself (its own tools, tests), never
 * a phone. Counts are in memory and start again each clinic day and at a restart.
 */
export interface PhoneTicketLimits {
  /** Numbers one client address (IPv6: one /64) may take per clinic day. */
  perAddress: number;
  /** Numbers all phones together may take per clinic day. */
  perDay: number;
}

export type PhoneTicketRefusal = 'per_address' | 'per_day';

export class PhoneTickets {
  private day = '';
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly refused = { per_address: 0, per_day: 0 };

  constructor(readonly limits: PhoneTicketLimits) {}

  /**
   * Counts a number about to be taken on `day` from `address`, or says why not. Counted before the
   * take runs, so concurrent requests cannot all slip under the limit; `giveBack` undoes it when the
   * take fails.
   */
  count(day: string, address: string | undefined): { giveBack(): void } | PhoneTicketRefusal {
    if (day !== this.day) {
      this.day = day;
      this.total = 0;
      this.byAddress.clear();
    }
    const key = isLoopback(address) ? null : addressKey(address);
    const mine = key === null ? 0 : (this.byAddress.get(key) ?? 0);
    if (key !== null && mine >= this.limits.perAddress) return this.refuse('per_address');
    if (this.total >= this.limits.perDay) return this.refuse('per_day');
    this.total++;
    if (key !== null) this.byAddress.set(key, mine + 1);
    let given = false;
    return {
      giveBack: () => {
        if (given || day !== this.day) return;
        given = true;
        this.total--;
        if (key !== null) this.byAddress.set(key, (this.byAddress.get(key) ?? 1) - 1);
      },
    };
  }

  private refuse(why: PhoneTicketRefusal): PhoneTicketRefusal {
    this.refused[why]++;
    return why;
  }

  /** Refusals since start by reason (for /metrics). */
  refusals(): Readonly<Record<PhoneTicketRefusal, number>> {
    return this.refused;
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./i.test(address);
}
