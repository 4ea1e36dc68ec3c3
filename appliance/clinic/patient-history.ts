/**
 * A patient's history for the visit, as the doctor reads it before examining (as Simple.org shows
 * a hypertension patient's): past visits with their diagnoses and medicines, the blood pressure
 * and weight series for a small chart, allergies, and referrals still open or answered.
 * One read, audited as such.
 */
import type { Queryable } from './db.ts';
import { audit, type Actor } from './audit.ts';
import { ClinicError, notFound } from './errors.ts';
import { listAllergies, type Allergy, type Patient } from './patients.ts';
import type { Diagnosis, VitalSigns } from './encounters.ts';

export interface HistoryVisit {
  id: string;
  openedAt: string;
  closedAt: string | null;
  status: 'open' | 'closed';
  poli: string;
  mode: string;
  doctorName: string;
  diagnoses: Diagnosis[];
  vitals: VitalSigns;
  medicines: { name: string; strength: string; unit: string; quantity: number; signa: string; days: number }[];
}

export interface PatientHistory {
  patient: Patient & { ageYears: number };
  allergies: Allergy[];
  visits: HistoryVisit[];
  series: {
    bloodPressure: { at: string; systolic: number; diastolic: number }[];
    weight: { at: string; weight: number }[];
  };
  referrals: {
    id: string;
    createdAt: string;
    hospitalName: string;
    specialty: string;
    diagnosisCode: string;
    emergency: boolean;
    status: string;
    validUntil: string;
    scheduledFor: string | null;
    answerNote: string | null;
    open: boolean;
  }[];
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function patientHistory(db: Queryable, actor: Actor, patientId: string, opts: { visits: number; today: string }): Promise<PatientHistory> {
  const p = await db.query<Patient & { mergedInto: string | null; ageYears: number }>(
    `SELECT id, full_name AS "fullName", nik, jkn_number AS "jknNumber", sex, to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", phone, address,
            registered_here AS "registeredHere", merged_into AS "mergedInto", extract(year FROM age($2::date, birth_date))::int AS "ageYears"
       FROM patients WHERE id = $1`,
    [patientId, opts.today],
  );
  const patient = p.rows[0];
  if (!patient) throw notFound('patient', patientId);
  if (patient.mergedInto) {
    throw new ClinicError('invalid_state', 'the record was merged into another; read that one', {
      entity: 'patient',
      from: 'merged',
      action: 'read',
      mergedInto: patient.mergedInto,
    });
  }
  const visits = await db.query<Omit<HistoryVisit, 'medicines'>>(
    `SELECT e.id, e.opened_at AS "openedAt", e.closed_at AS "closedAt", e.status, e.poli, e.mode, s.full_name AS "doctorName", e.diagnoses, e.vitals
       FROM encounters e JOIN staff s ON s.id = e.doctor_id WHERE e.patient_id = $1 ORDER BY e.opened_at DESC LIMIT $2`,
    [patientId, opts.visits],
  );
  const ids = visits.rows.map((v) => v.id);
  const meds = ids.length
    ? await db.query<{ encounter_id: string; name: string; strength: string; unit: string; quantity: number; signa: string; days: number }>(
        `SELECT p.encounter_id, f.name, f.strength, f.unit, i.quantity, i.signa, i.days
           FROM prescriptions p JOIN prescription_items i ON i.prescription_id = p.id JOIN formulary f ON f.id = i.formulary_id
          WHERE p.encounter_id = ANY($1::uuid[]) ORDER BY p.issued_at, i.line`,
        [ids],
      )
    : { rows: [] };
  // The chart's series go further back than the visit list: the last two years' measurements.
  const series = await db.query<{ at: string; systolic: number | null; diastolic: number | null; weight: number | null }>(
    `SELECT opened_at AS at, (vitals->>'systolic')::int AS systolic, (vitals->>'diastolic')::int AS diastolic, (vitals->>'weight')::float AS weight
       FROM encounters WHERE patient_id = $1 AND opened_at >= $2::date - interval '2 years'
        AND (vitals ? 'systolic' OR vitals ? 'weight') ORDER BY opened_at`,
    [patientId, opts.today],
  );
  const referrals = await db.query<PatientHistory['referrals'][number]>(
    `SELECT id, created_at AS "createdAt", hospital_name AS "hospitalName", specialty, diagnosis_code AS "diagnosisCode", emergency, status,
            to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", to_char(scheduled_for, 'YYYY-MM-DD') AS "scheduledFor", answer_note AS "answerNote",
            (status IN ('issued','sent','accepted','scheduled') AND valid_until >= $2::date) AS open
       FROM referrals WHERE patient_id = $1 AND status IN ('issued','sent','accepted','scheduled','rejected')
      ORDER BY created_at DESC LIMIT 20`,
    [patientId, opts.today],
  );
  await audit(db, actor, 'read', 'patient_history', patientId, patientId);
  const { mergedInto: _merged, ...rest } = patient;
  return {
    patient: rest,
    allergies: await listAllergies(db, patientId),
    visits: visits.rows.map((v) => ({
      ...v,
      openedAt: iso(v.openedAt)!,
      closedAt: iso(v.closedAt),
      medicines: meds.rows.filter((m) => m.encounter_id === v.id).map(({ encounter_id: _e, ...m }) => m),
    })),
    series: {
      bloodPressure: series.rows.filter((r) => r.systolic != null && r.diastolic != null).map((r) => ({ at: iso(r.at)!, systolic: r.systolic!, diastolic: r.diastolic! })),
      weight: series.rows.filter((r) => r.weight != null).map((r) => ({ at: iso(r.at)!, weight: r.weight! })),
    },
    referrals: referrals.rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)! })),
  };
}
