/**
 * The district's list of referral hospitals, as the centre sends it: whole and numbered like the
 * formulary (formulary-updates.ts). A version replaces the box's list; the same version again is
 * a no-op, an older one is refused, so a list that arrives late never rolls a newer one back.
 * Referrals already written keep the hospital's code and name as they were (referrals has no
 * reference to this table), so a hospital leaving the list changes no record.
 */
import type { Db, Queryable } from './db.ts';
import { ClinicError } from './errors.ts';
import type { Hospital } from './hospitals.ts';

export interface HospitalListResult {
  version: number;
  hospitals: number;
  /** True when this version was already applied (nothing done). */
  repeated: boolean;
}

const VERSION_KEY = 'hospital_list_version';

/** 0 when the centre has sent no list yet (a demo box's seeded list is version 0 too). */
export async function appliedHospitalListVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ value: number }>(`SELECT value FROM sync_state WHERE key = $1`, [VERSION_KEY]);
  return rows[0] ? Number(rows[0].value) : 0;
}

/** Replaces the list (inside the caller's transaction). */
export async function replaceHospitals(tx: Queryable, items: Hospital[]): Promise<void> {
  await tx.query(`DELETE FROM hospitals WHERE code <> ALL($1::text[])`, [items.map((h) => h.code)]);
  await tx.query(
    `INSERT INTO hospitals (code, name, specialties, accepts_emergency)
     SELECT code, name, specialties, accepts_emergency FROM jsonb_to_recordset($1::jsonb) AS h(code text, name text, specialties jsonb, accepts_emergency boolean)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, specialties = EXCLUDED.specialties, accepts_emergency = EXCLUDED.accepts_emergency`,
    [JSON.stringify(items.map((h) => ({ code: h.code, name: h.name, specialties: h.specialties, accepts_emergency: h.acceptsEmergency })))],
  );
}

export async function applyHospitalList(db: Db, version: number, items: Hospital[]): Promise<HospitalListResult> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ value: number }>(`SELECT value FROM sync_state WHERE key = $1 FOR UPDATE`, [VERSION_KEY]);
    const current = rows[0] ? Number(rows[0].value) : 0;
    if (version === current) return { version, hospitals: 0, repeated: true };
    if (version < current)
      throw new ClinicError('conflict', `hospital list version ${version} is older than the applied version ${current}`, { entity: 'hospitals', version: current });
    await replaceHospitals(tx, items);
    await tx.query(`INSERT INTO sync_state (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [
      VERSION_KEY,
      JSON.stringify(version),
    ]);
    return { version, hospitals: items.length, repeated: false };
  });
}
