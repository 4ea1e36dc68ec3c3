import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { openMemoryHubDatabase, postgresHubDb, type HubDb } from '../storage/db.ts';
import { migrateHub } from '../storage/migrations.ts';
import { POSTGRES_URL } from '../testing/stack.ts';
import { boxHistory, HistoryJob, regionChart } from './history.ts';

const H = 3_600_000;
const start = Date.parse('2026-09-01T00:00:00Z');

describe.each(['pglite', 'postgres'] as const)('history rollups and retention on %s', (kind) => {
  let db: HubDb;
  let schema = '';
  let t = start;
  beforeAll(async () => {
    if (kind === 'pglite') db = await openMemoryHubDatabase();
    else {
      schema = `history_test_${randomBytes(4).toString('hex')}`;
      db = await postgresHubDb(POSTGRES_URL, { schema, max: 2 });
      await migrateHub(db);
    }
    await db.query(`INSERT INTO devices (id, secret_hash, facility_code, region_code) VALUES ('h-1','x','F1','5301'), ('h-2','x','F2','5301'), ('h-3','x','F3','5311')`);
  });
  afterAll(async () => {
    await db?.close();
    if (schema) {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  });

  it('rolls raw reports up per hour, per day and per district, and keeps each for its time', async () => {
    // Three days of a report a minute from three boxes; backlog grows on h-1.
    const rows: unknown[] = [];
    for (let m = 0; m < 3 * 24 * 60; m += 1)
      for (const [i, id] of ['h-1', 'h-2', 'h-3'].entries())
        rows.push({ id, at: new Date(start + m * 60_000 + i * 1000).toISOString(), pending: id === 'h-1' ? m : 2, disk: 50 - m / 1000 });
    await db.query(
      `INSERT INTO status_raw (device_id, at, pending, parked, disk_free_pct) SELECT id, at, pending, 0, disk FROM jsonb_to_recordset($1::jsonb) AS r(id text, at timestamptz, pending int, disk real)`,
      [JSON.stringify(rows)],
    );
    const job = new HistoryJob(db, pino({ level: 'silent' }), () => new Date(t), 0);
    // Hourly runs over the three days (a missed run is repaired by the next: each recomputes 3 h).
    for (t = start + H; t <= start + 72 * H; t += 2 * H) await job.run();
    const hourly = await db.query<{ n: number; reports: number }>(`SELECT count(*)::int AS n, sum(reports)::int AS reports FROM status_hourly`);
    expect(hourly.rows[0]).toEqual({ n: 3 * 72, reports: rows.length });
    const h1 = await boxHistory(db, 'h-1', start, start + 72 * H, start + 10 * 24 * H);
    expect(h1.resolution).toBe('hour');
    expect(h1.points).toHaveLength(72);
    expect(h1.points[1]).toMatchObject({ pending: 119 });
    const chart = await regionChart(db, '5301', start, start + 72 * H);
    expect(chart).toHaveLength(72);
    expect(chart[0]).toMatchObject({ t: new Date(start).toISOString(), boxes: 2, reports: 120, pending: 59 + 2 });
    expect((await regionChart(db, '53', start, start + H))[0]).toMatchObject({ boxes: 3 });
    const daily = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_daily`);
    expect(daily.rows[0].n).toBe(9);
    // 48 h later the raw rows are gone, the hourly and daily ones stay.
    t = start + 5 * 24 * H;
    await job.run();
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_raw`)).rows[0].n).toBe(0);
    expect((await boxHistory(db, 'h-1', start, start + 3 * 24 * H, t)).points).toHaveLength(72);
    // 93 days on, the hourly rows are gone and the daily ones answer.
    t = start + 93 * 24 * H;
    await job.run();
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_hourly`)).rows[0].n).toBe(0);
    const old = await boxHistory(db, 'h-1', start, start + 3 * 24 * H, t);
    expect(old.resolution).toBe('day');
    expect(old.points).toHaveLength(3);
    await job.close();
  });
});
