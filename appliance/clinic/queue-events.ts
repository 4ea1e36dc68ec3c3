/**
 * Who hears of queue changes (the live pages' streams, the TV): one event per change, after the
 * change is stored and mirrored.
 */
import type { QueueEvent, Ticket } from './queue-tickets.ts';

export class QueueEvents {
  private readonly listeners = new Set<(e: QueueEvent) => void>();

  subscribe(fn: (e: QueueEvent) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  changed(t: Ticket, action: string) {
    for (const fn of this.listeners) fn({ kind: 'changed', day: t.day, poli: t.poli, ticketId: t.id, action });
  }
}
