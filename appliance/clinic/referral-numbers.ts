/**
 * The number printed on a referral letter, as a hospital's desk reads it out on the phone:
 * `<kode faskes>/RJK/<YYYYMMDD>/<nnn>`, the referral's place among the facility's referrals of
 * that clinic day (referrals are never deleted, so a number does not change once printed). The
 * 36-character id stays in the letter's QR code for scanning.
 */
import type { Queryable } from './db.ts';
import { zoneOffsetHours } from './clock.ts';

export async function referralNumber(db: Queryable, referralId: string, facilityCode: string, timeZone: string): Promise<string> {
  const { rows } = await db.query<{ day: string; n: number }>(
    `WITH me AS (SELECT id, created_at, ((created_at AT TIME ZONE 'UTC') + make_interval(hours => $2))::date AS day FROM referrals WHERE id = $1)
     SELECT to_char(me.day, 'YYYYMMDD') AS day,
            (SELECT count(*)::int FROM referrals r
              WHERE ((r.created_at AT TIME ZONE 'UTC') + make_interval(hours => $2))::date = me.day AND (r.created_at, r.id) <= (me.created_at, me.id)) AS n
       FROM me`,
    [referralId, zoneOffsetHours(timeZone)],
  );
  const r = rows[0];
  return r ? `${facilityCode}/RJK/${r.day}/${String(r.n).padStart(3, '0')}` : referralId;
}
