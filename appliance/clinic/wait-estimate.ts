/**
 * How long a patient is likely to wait: the poli's average service time today (call to finish,
 * the latest 20 patients; the clinic's default until someone is done), shared by its rooms.
 */
import type { Ticket } from './queue-tickets.ts';

/** Average minutes from call to finish of the day's latest 20 done tickets, or null before the first. */
export function averageServiceMinutes(tickets: Iterable<Ticket>): number | null {
  const served = [...tickets]
    .filter((t) => t.status === 'done' && t.calledAt && t.finishedAt)
    .sort((a, b) => Date.parse(b.finishedAt!) - Date.parse(a.finishedAt!))
    .slice(0, 20)
    .map((t) => (Date.parse(t.finishedAt!) - Date.parse(t.calledAt!)) / 60_000);
  return served.length ? served.reduce((a, b) => a + b, 0) / served.length : null;
}

/** Minutes until a patient at `position` (1 = next) is called: those ahead share the poli's rooms, and each room is on average half-way through a patient. */
export function estimatedWaitMinutes(position: number, rooms: number, serviceMinutes: number): number {
  return Math.round(((position - 1) / Math.max(1, rooms) + 0.5) * serviceMinutes);
}
