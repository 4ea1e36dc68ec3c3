/**
 * The floor of the box's clock as its database knows it (appliance/clock/trusted-clock.ts keeps
 * the file beside it): the latest of the floor last saved and the newest record queued for the
 * centre, so a record written after the last save still counts.
 */
import type { Queryable } from './db.ts';

const KEY = 'clock_floor';

export async function databaseClockFloor(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ floor: unknown }>(
    `SELECT greatest((SELECT (value #>> '{}')::timestamptz FROM sync_state WHERE key = $1), (SELECT max(created_at) FROM outbox)) AS floor`,
    [KEY],
  );
  return rows[0].floor == null ? null : new Date(rows[0].floor as string);
}

export async function saveDatabaseClockFloor(db: Queryable, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO sync_state (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE (sync_state.value #>> '{}')::timestamptz < $3::timestamptz`,
    [KEY, JSON.stringify(at.toISOString()), at.toISOString()],
  );
}
