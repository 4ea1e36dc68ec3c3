/**
 * Who a ticket or a visit is, as staff see them in a list or a visit's header: name, age, sex,
 * the NIK's last four digits only (enough to tell two Budis apart, not enough to copy), and
 * allergies. One query for a whole list; the read is audited as a list of patients.
 */
import type { Queryable } from './db.ts';
import { audit, type Actor } from './audit.ts';

export interface PatientSummary {
  id: string;
  fullName: string;
  ageYears: number;
  sex: 'L' | 'P';
  /** The NIK's last four digits; null when the patient has no NIK on record. */
  nikLast4: string | null;
  /** Substances the patient reacts to; empty for the admin, who reads no clinical data. */
  allergies: string[];
}

export async function patientSummaries(db: Queryable, actor: Actor, ids: string[], today: string): Promise<Map<string, PatientSummary>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, PatientSummary>();
  if (!unique.length) return out;
  const clinical = actor.role !== 'admin';
  const { rows } = await db.query<Omit<PatientSummary, 'allergies'> & { allergies: string[] | null }>(
    `SELECT p.id, p.full_name AS "fullName", extract(year FROM age($2::date, p.birth_date))::int AS "ageYears", p.sex,
            right(p.nik, 4) AS "nikLast4",
            CASE WHEN $3 THEN (SELECT array_agg(a.substance ORDER BY a.recorded_at) FROM patient_allergies a WHERE a.patient_id = p.id AND a.removed_at IS NULL) END AS allergies
       FROM patients p WHERE p.id = ANY($1::uuid[])`,
    [unique, today, clinical],
  );
  for (const r of rows) out.set(r.id, { ...r, allergies: r.allergies ?? [] });
  await audit(db, actor, 'list', 'patient', null, unique.length === 1 ? unique[0] : null);
  return out;
}
