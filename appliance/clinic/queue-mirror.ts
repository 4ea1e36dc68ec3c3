/**
 * The in-memory mirror of today's queues: each poli's tickets, its waiting line in calling order,
 * and the ticket-link tokens, loaded from the database on first use and kept in step by every
 * change the queue makes. The database stays the truth (a restart rebuilds the mirror from it).
 */
import type { Db } from './db.ts';
import { columns, toTicket, type Ticket, type TicketRow } from './queue-tickets.ts';
import { averageServiceMinutes } from './wait-estimate.ts';

/** Today's tickets of one poli, kept in memory: status pages are read far more than written. */
export interface PoliDay {
  tickets: Map<string, Ticket>;
  waiting: string[]; // ticket ids in calling order
  averageServiceMinutes: number | null;
}

export class QueueMirror {
  private days = new Map<string, PoliDay>(); // key `${day}|${poli}`
  private byToken = new Map<string, { day: string; poli: string; id: string }>();

  constructor(
    private readonly db: Db,
    private readonly today: () => string,
  ) {}

  /** Where the ticket of a link's token hash is, when it is in memory. */
  ticketOfToken(tokenHash: string) {
    return this.byToken.get(tokenHash);
  }

  async load(day: string, poli: string): Promise<PoliDay> {
    const key = `${day}|${poli}`;
    const cached = this.days.get(key);
    if (cached) return cached;
    const { rows } = await this.db.query<TicketRow>(`SELECT ${columns} FROM queue_tickets WHERE day = $1 AND poli = $2 ORDER BY number`, [day, poli]);
    const pd: PoliDay = { tickets: new Map(), waiting: [], averageServiceMinutes: null };
    for (const r of rows) {
      pd.tickets.set(r.id, toTicket(r));
      this.byToken.set(r.tokenHash, { day, poli, id: r.id });
    }
    this.recompute(pd);
    // Old days are dropped from memory: only today's queues are hot.
    const today = this.today();
    if (day === today) this.days.set(key, pd);
    for (const k of this.days.keys()) if (!k.startsWith(today)) this.days.delete(k);
    for (const [hash, ref] of this.byToken) if (ref.day !== today && ref.day !== day) this.byToken.delete(hash);
    return pd;
  }

  recompute(pd: PoliDay) {
    const all = [...pd.tickets.values()];
    pd.waiting = all
      .filter((t) => t.status === 'waiting')
      .sort((a, b) => a.number - b.number)
      .map((t) => t.id);
    pd.averageServiceMinutes = averageServiceMinutes(all);
  }

  async remember(t: Ticket, tokenHash?: string) {
    const pd = await this.load(t.day, t.poli);
    const isNew = !pd.tickets.has(t.id);
    pd.tickets.set(t.id, t);
    if (tokenHash) this.byToken.set(tokenHash, { day: t.day, poli: t.poli, id: t.id });
    // A new waiting ticket numbered after every waiting one just joins the end of the line (the
    // average service time only depends on done tickets). recompute() copies and sorts the whole
    // day, which made each take O(n log n) in the day's tickets: thousands under the benchmark.
    // With the one-statement insert below and no re-read in the route: take a number at 200
    // connections 618–628 → 795–1089 req/s (test/bench/queue.ts, 5 s runs, noisy 2-core machine).
    const last = pd.waiting.length ? pd.tickets.get(pd.waiting[pd.waiting.length - 1]) : undefined;
    if (isNew && t.status === 'waiting' && (!last || last.number < t.number)) pd.waiting.push(t.id);
    else this.recompute(pd);
    return pd;
  }

  /** A new number for today in a poli. Returns the secret token of the patient's ticket link. */
}

/**
 * Where a ticket stands in the waiting line, or -1. The line is in number order (recompute sorts
 * it so, remember only appends a higher number), so a binary search finds it: indexOf scanned
 * the day's whole line for every view, 15% of take-a-number's CPU with thousands waiting.
 */
export function placeInLine(pd: PoliDay, ticket: Ticket): number {
  const line = pd.waiting;
  let lo = 0;
  let hi = line.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = pd.tickets.get(line[mid])?.number ?? -1;
    if (n === ticket.number) return line[mid] === ticket.id ? mid : line.indexOf(ticket.id);
    if (n < ticket.number) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
