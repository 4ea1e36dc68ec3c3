import type { Queryable } from './db.ts';
import { notFound } from './errors.ts';
import { text } from './text.ts';

/**
 * An FKRTL (referral hospital) this puskesmas refers to, by its BPJS facility code. The list is
 * the district's, sent by the centre (clinic/hospital-list.ts); the box never edits it itself.
 */
export interface Hospital {
  code: string;
  name: string;
  specialties: string[];
  /** Takes emergency referrals directly. */
  acceptsEmergency: boolean;
}

export const hospitalCode = text()
  .trim()
  .regex(/^[0-9A-Z]{4,12}$/, 'a BPJS facility code: 4 to 12 digits or capital letters');

const columns = `code, name, specialties, accepts_emergency AS "acceptsEmergency"`;

export async function listHospitals(db: Queryable): Promise<Hospital[]> {
  const { rows } = await db.query<Hospital>(`SELECT ${columns} FROM hospitals ORDER BY name`);
  return rows;
}

export async function getHospital(db: Queryable, code: string): Promise<Hospital> {
  const { rows } = await db.query<Hospital>(`SELECT ${columns} FROM hospitals WHERE code = $1`, [code]);
  if (!rows[0]) throw notFound('hospital', code);
  return rows[0];
}
