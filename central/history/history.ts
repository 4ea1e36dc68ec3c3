/**
 * History of the figures boxes report: raw rows for 48 hours, then per hour for 90 days and per
 * day for two years (fleet-state/ writes the raw rows). The rollup recomputes the last few hours
 * and days from the finer table each run (an upsert, so a late report or a missed run is repaired
 * by the next one), and the region rollup makes a district's chart a read of one row per hour.
 * Days are UTC days.
 */
import type { Logger } from 'pino';
import type { HubDb, HubQueryable } from '../storage/db.ts';

export const RETENTION = { rawHours: 48, hourlyDays: 90, dailyDays: 730 } as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const iso = (t: number) => new Date(t).toISOString();

/** Hours [from, to) of raw history into status_hourly, and into region_hourly per kabupaten/kota. */
export async function rollupHours(db: HubQueryable, fromMs: number, toMs: number): Promise<void> {
  const from = iso(floorTo(fromMs, HOUR));
  const to = iso(floorTo(toMs, HOUR));
  if (from >= to) return;
  await db.query(
    `INSERT INTO status_hourly (device_id, hour, reports, pending_max, parked_max, oldest_age_max, disk_free_pct_min, mem_box_mb_max, load_avg, db_mb_max, queue_tickets_max, queue_served_max, relay_calls_max)
     SELECT device_id, date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*), max(pending), max(parked), max(oldest_age_s), min(disk_free_pct),
            max(mem_box_mb), avg(load), max(db_mb), max(queue_tickets), max(queue_served), max(relay_calls)
       FROM status_raw WHERE at >= $1 AND at < $2 GROUP BY 1, 2
     ON CONFLICT (device_id, hour) DO UPDATE SET reports = EXCLUDED.reports, pending_max = EXCLUDED.pending_max, parked_max = EXCLUDED.parked_max,
       oldest_age_max = EXCLUDED.oldest_age_max, disk_free_pct_min = EXCLUDED.disk_free_pct_min, mem_box_mb_max = EXCLUDED.mem_box_mb_max,
       load_avg = EXCLUDED.load_avg, db_mb_max = EXCLUDED.db_mb_max, queue_tickets_max = EXCLUDED.queue_tickets_max,
       queue_served_max = EXCLUDED.queue_served_max, relay_calls_max = EXCLUDED.relay_calls_max`,
    [from, to],
  );
  await db.query(
    `INSERT INTO region_hourly (region_code, hour, boxes, reports, pending_sum, parked_sum, oldest_age_max, disk_free_pct_min, queue_tickets_sum)
     SELECT coalesce(d.region_code, ''), h.hour, count(*), sum(h.reports), sum(h.pending_max), sum(h.parked_max), max(h.oldest_age_max), min(h.disk_free_pct_min), sum(h.queue_tickets_max)
       FROM status_hourly h JOIN devices d ON d.id = h.device_id
      WHERE h.hour >= $1 AND h.hour < $2 GROUP BY 1, 2
     ON CONFLICT (region_code, hour) DO UPDATE SET boxes = EXCLUDED.boxes, reports = EXCLUDED.reports, pending_sum = EXCLUDED.pending_sum,
       parked_sum = EXCLUDED.parked_sum, oldest_age_max = EXCLUDED.oldest_age_max, disk_free_pct_min = EXCLUDED.disk_free_pct_min, queue_tickets_sum = EXCLUDED.queue_tickets_sum`,
    [from, to],
  );
}

/** Days [from, to) of hourly history into status_daily. */
export async function rollupDays(db: HubQueryable, fromMs: number, toMs: number): Promise<void> {
  const from = iso(floorTo(fromMs, DAY));
  const to = iso(floorTo(toMs, DAY));
  if (from >= to) return;
  await db.query(
    `INSERT INTO status_daily (device_id, day, reports, pending_max, parked_max, oldest_age_max, disk_free_pct_min, mem_box_mb_max, load_avg, db_mb_max, queue_tickets_max, queue_served_max, relay_calls_max)
     SELECT device_id, (hour AT TIME ZONE 'UTC')::date, sum(reports), max(pending_max), max(parked_max), max(oldest_age_max), min(disk_free_pct_min),
            max(mem_box_mb_max), avg(load_avg), max(db_mb_max), max(queue_tickets_max), max(queue_served_max), max(relay_calls_max)
       FROM status_hourly WHERE hour >= $1 AND hour < $2 GROUP BY 1, 2
     ON CONFLICT (device_id, day) DO UPDATE SET reports = EXCLUDED.reports, pending_max = EXCLUDED.pending_max, parked_max = EXCLUDED.parked_max,
       oldest_age_max = EXCLUDED.oldest_age_max, disk_free_pct_min = EXCLUDED.disk_free_pct_min, mem_box_mb_max = EXCLUDED.mem_box_mb_max,
       load_avg = EXCLUDED.load_avg, db_mb_max = EXCLUDED.db_mb_max, queue_tickets_max = EXCLUDED.queue_tickets_max,
       queue_served_max = EXCLUDED.queue_served_max, relay_calls_max = EXCLUDED.relay_calls_max`,
    [from, to],
  );
}

/** Deletes what is past its retention; returns rows deleted per table. */
export async function applyRetention(db: HubQueryable, nowMs: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const del = async (table: string, col: string, before: number) => {
    const { rows } = await db.query<{ n: number }>(`WITH d AS (DELETE FROM ${table} WHERE ${col} < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [iso(before)]);
    out[table] = rows[0].n;
  };
  await del('status_raw', 'at', nowMs - RETENTION.rawHours * HOUR);
  await del('status_hourly', 'hour', nowMs - RETENTION.hourlyDays * DAY);
  await del('region_hourly', 'hour', nowMs - RETENTION.hourlyDays * DAY);
  await del('status_daily', 'day', nowMs - RETENTION.dailyDays * DAY);
  return out;
}

/**
 * The rollup and retention job: every `everyMs` (default 5 min) the last 3 hours and 2 days are
 * rolled up again, then retention runs. `run()` is also called by tests with an injected clock.
 */
export class HistoryJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly db: HubDb,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    everyMs = 300_000,
  ) {
    if (everyMs > 0) {
      this.timer = setInterval(() => void this.run().catch((err) => log.error({ err }, 'history: rollup failed')), everyMs);
      this.timer.unref();
    }
  }

  run(): Promise<Record<string, number>> {
    const r = this.running.then(async () => {
      const now = this.now().getTime();
      // Up to the next hour boundary: the current hour's rows so far, refreshed by the next run.
      await rollupHours(this.db, now - 3 * HOUR, now + HOUR);
      await rollupDays(this.db, now - 2 * DAY, now + DAY);
      return applyRetention(this.db, now);
    });
    this.running = r.catch(() => {});
    return r;
  }

  async close() {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

export type Resolution = 'raw' | 'hour' | 'day';

/** A box's history between two times, at the finest resolution kept for that span. */
export async function boxHistory(
  db: HubQueryable,
  deviceId: string,
  fromMs: number,
  toMs: number,
  nowMs = Date.now(),
): Promise<{ resolution: Resolution; points: Record<string, unknown>[] }> {
  const resolution: Resolution = fromMs >= nowMs - RETENTION.rawHours * HOUR ? 'raw' : fromMs >= nowMs - RETENTION.hourlyDays * DAY ? 'hour' : 'day';
  const sql = {
    raw: `SELECT at AS t, pending, parked, oldest_age_s AS oldest, disk_free_pct AS disk, mem_box_mb AS mem, load, db_mb AS db, clock_offset_s AS clock, queue_tickets AS tickets FROM status_raw WHERE device_id = $1 AND at >= $2 AND at < $3 ORDER BY at`,
    hour: `SELECT hour AS t, pending_max AS pending, parked_max AS parked, oldest_age_max AS oldest, disk_free_pct_min AS disk, mem_box_mb_max AS mem, load_avg AS load, db_mb_max AS db, queue_tickets_max AS tickets FROM status_hourly WHERE device_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`,
    day: `SELECT day AS t, pending_max AS pending, parked_max AS parked, oldest_age_max AS oldest, disk_free_pct_min AS disk, mem_box_mb_max AS mem, load_avg AS load, db_mb_max AS db, queue_tickets_max AS tickets FROM status_daily WHERE device_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC')::date ORDER BY day`,
  }[resolution];
  const { rows } = await db.query(sql, [deviceId, iso(fromMs), iso(toMs)]);
  return { resolution, points: rows };
}

/** A region's hourly chart (a district, or a province summed over its districts): one row per hour. */
export async function regionChart(
  db: HubQueryable,
  region: string,
  fromMs: number,
  toMs: number,
): Promise<{ t: string; boxes: number; reports: number; pending: number; parked: number; oldest: number | null; disk: number | null; tickets: number }[]> {
  if (!/^([0-9]{2}){0,2}$/.test(region)) throw new Error('region must be empty, 2 or 4 digits');
  const { rows } = await db.query<{ t: unknown; boxes: number; reports: number; pending: number; parked: number; oldest: number | null; disk: number | null; tickets: number }>(
    `SELECT hour AS t, sum(boxes)::int AS boxes, sum(reports)::int AS reports, sum(pending_sum)::float8 AS pending, sum(parked_sum)::float8 AS parked,
            max(oldest_age_max) AS oldest, min(disk_free_pct_min) AS disk, sum(queue_tickets_sum)::float8 AS tickets
       FROM region_hourly WHERE region_code >= $1 AND region_code <= $4 AND hour >= $2 AND hour < $3 GROUP BY hour ORDER BY hour`,
    // A range on the primary key (region_code, hour), not LIKE: LIKE 'x%' uses no btree index
    // under a non-C collation (measured: a scan of every district's rows, 0.8 s for 494 districts).
    [region, iso(fromMs), iso(toMs), region.padEnd(4, '9')],
  );
  return rows.map((r) => ({ ...r, t: new Date(r.t as string).toISOString() }));
}
