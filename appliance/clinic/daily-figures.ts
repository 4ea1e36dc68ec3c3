/**
 * Each finished clinic day's queue figures per poli (taken, served, no-shows, average wait and
 * service), queued for the centre once: the outbox entry's entity id (`day|poli`) makes it
 * idempotent.
 */
import type { Db } from './db.ts';
import { appendOutbox } from './outbox.ts';

/** Queues the figures of every day before `today` not yet queued; returns how many (day, poli) pairs. */
export async function closePastDays(db: Db, today: string): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ day: string; poli: string; taken: number; served: number; no_show: number; avg_wait: number | null; avg_service: number | null }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, poli, count(*)::int AS taken,
              count(*) FILTER (WHERE status = 'done')::int AS served,
              count(*) FILTER (WHERE status = 'no_show')::int AS no_show,
              round(avg(extract(epoch FROM called_at - taken_at) / 60)::numeric, 1)::float AS avg_wait,
              round(avg(extract(epoch FROM finished_at - called_at) / 60) FILTER (WHERE status = 'done')::numeric, 1)::float AS avg_service
         FROM queue_tickets q
        WHERE day < $1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.type = 'queue_daily_figures' AND o.entity_id = to_char(q.day, 'YYYY-MM-DD') || '|' || q.poli)
        GROUP BY day, poli`,
      [today],
    );
    for (const r of rows) {
      await appendOutbox(tx, {
        type: 'queue_daily_figures',
        entityId: `${r.day}|${r.poli}`,
        entityVersion: 1,
        payload: { day: r.day, poli: r.poli, taken: r.taken, served: r.served, noShow: r.no_show, averageWaitMinutes: r.avg_wait, averageServiceMinutes: r.avg_service },
      });
    }
    return rows.length;
  });
}
