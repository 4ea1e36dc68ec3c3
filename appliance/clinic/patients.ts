import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { likeLiteral, type Db, type Queryable } from './db.ts';
import { ClinicError, notFound } from './errors.ts';
import { checkNik } from './identity-numbers.ts';
import { audit, type Actor } from './audit.ts';
import { text } from './text.ts';

const isoDate = text()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

const patientFields = {
  fullName: text().trim().min(2).max(100),
  nik: text()
    .regex(/^\d{16}$/, 'NIK is 16 digits')
    .optional(),
  jknNumber: text()
    .regex(/^\d{13}$/, 'JKN card number is 13 digits')
    .optional(),
  sex: z.enum(['L', 'P']),
  birthDate: isoDate,
  phone: text()
    .regex(/^\+?\d{8,15}$/)
    .optional(),
  address: text().max(200).optional(),
  registeredHere: z.boolean().default(false),
};
export const patientInput = z
  .object(patientFields)
  .strict()
  .refine((p) => p.nik || p.jknNumber, {
    message: 'a NIK or a JKN card number is required',
    path: ['nik'],
    // Also when other fields are wrong: an empty form names every missing field at once, not the NIK last.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
  });

/** A change of a patient's details: only the fields sent; `null` clears phone, address or one of NIK/JKN (one must stay). */
export const patientUpdateInput = z
  .object({
    fullName: patientFields.fullName.optional(),
    nik: patientFields.nik.unwrap().nullable().optional(),
    jknNumber: patientFields.jknNumber.unwrap().nullable().optional(),
    sex: patientFields.sex.optional(),
    birthDate: patientFields.birthDate.optional(),
    phone: patientFields.phone.unwrap().nullable().optional(),
    address: patientFields.address.unwrap().nullable().optional(),
    registeredHere: z.boolean().optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).length > 0, { message: 'nothing to change', path: [] });
export type PatientUpdateInput = z.infer<typeof patientUpdateInput>;
export type PatientInput = z.infer<typeof patientInput>;

export interface Patient {
  id: string;
  fullName: string;
  nik: string | null;
  jknNumber: string | null;
  sex: 'L' | 'P';
  birthDate: string;
  phone: string | null;
  address: string | null;
  registeredHere: boolean;
}

const columns = `id, full_name AS "fullName", nik, jkn_number AS "jknNumber", sex, to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", phone, address, registered_here AS "registeredHere"`;

export async function registerPatient(db: Db, actor: Actor, input: PatientInput): Promise<Patient> {
  if (input.nik) {
    const problem = checkNik(input.nik, input.sex, input.birthDate);
    if (problem) throw new ClinicError('invalid', `NIK does not check: ${problem}`, { field: 'nik', problem });
  }
  if (Date.parse(input.birthDate) > Date.now()) throw new ClinicError('invalid', 'birth date is in the future', { field: 'birthDate', problem: 'future' });
  return db.transaction(async (tx) => {
    const dup = await tx.query<{ id: string }>(`SELECT id FROM patients WHERE nik = $1 OR jkn_number = $2`, [input.nik ?? null, input.jknNumber ?? null]);
    if (dup.rows.length) throw new ClinicError('conflict', 'a patient with this NIK or JKN number exists', { patientId: dup.rows[0].id });
    const id = randomUUID();
    const { rows } = await tx.query<Patient>(
      `INSERT INTO patients (id, full_name, nik, jkn_number, sex, birth_date, phone, address, registered_here)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING ${columns}`,
      [id, input.fullName, input.nik ?? null, input.jknNumber ?? null, input.sex, input.birthDate, input.phone ?? null, input.address ?? null, input.registeredHere],
    );
    await audit(tx, actor, 'create', 'patient', id, id);
    return rows[0];
  });
}

export async function getPatient(db: Queryable, actor: Actor | null, id: string): Promise<Patient> {
  const { rows } = await db.query<Patient>(`SELECT ${columns} FROM patients WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('patient', id);
  if (actor) await audit(db, actor, 'read', 'patient', id, id);
  return rows[0];
}

/**
 * What the pharmacy counter needs to hand medicine to the right person and check a dose for age:
 * name, sex and date of birth. Not the NIK, JKN number, phone or address (least privilege).
 */
export type PatientForDispensing = Pick<Patient, 'id' | 'fullName' | 'sex' | 'birthDate'>;
export const forDispensing = ({ id, fullName, sex, birthDate }: Patient): PatientForDispensing => ({ id, fullName, sex, birthDate });

/** Finds by exact NIK or JKN number, or by name prefix; answers as the desk types. */
export async function findPatients(db: Queryable, actor: Actor, q: string, limit = 20, offset = 0): Promise<Patient[]> {
  const term = q.trim();
  let rows: Patient[];
  if (/^\d{13}$|^\d{16}$/.test(term)) {
    rows = (await db.query<Patient>(`SELECT ${columns} FROM patients WHERE (nik = $1 OR jkn_number = $1) AND merged_into IS NULL`, [term])).rows;
  } else if (/^\d+$/.test(term)) {
    rows = (
      await db.query<Patient>(`SELECT ${columns} FROM patients WHERE (nik LIKE $1 OR jkn_number LIKE $1) AND merged_into IS NULL ORDER BY full_name LIMIT $2 OFFSET $3`, [
        `${likeLiteral(term)}%`,
        limit,
        offset,
      ])
    ).rows;
  } else {
    rows = (
      await db.query<Patient>(
        `SELECT ${columns} FROM patients WHERE (lower(full_name) LIKE $1 OR lower(full_name) LIKE $2) AND merged_into IS NULL ORDER BY full_name LIMIT $3 OFFSET $4`,
        [`${likeLiteral(term.toLowerCase())}%`, `% ${likeLiteral(term.toLowerCase())}%`, limit, offset],
      )
    ).rows;
  }
  // What was searched is patient data: it belongs in the audit trail (never in a log line).
  await audit(db, actor, 'list', 'patient', null, null, term);
  return rows;
}

/** Changes a patient's details (NIK checked against sex and birth date as at registration). Audited. */
export async function updatePatient(db: Db, actor: Actor, id: string, change: PatientUpdateInput): Promise<Patient> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Patient & { mergedInto: string | null }>(`SELECT ${columns}, merged_into AS "mergedInto" FROM patients WHERE id = $1`, [id]);
    const cur = rows[0];
    if (!cur) throw notFound('patient', id);
    if (cur.mergedInto)
      throw new ClinicError('invalid_state', 'the record was merged into another', { entity: 'patient', from: 'merged', action: 'update', mergedInto: cur.mergedInto });
    const next = {
      fullName: change.fullName ?? cur.fullName,
      sex: change.sex ?? cur.sex,
      birthDate: change.birthDate ?? cur.birthDate,
      nik: change.nik === undefined ? cur.nik : change.nik,
      jknNumber: change.jknNumber === undefined ? cur.jknNumber : change.jknNumber,
      phone: change.phone === undefined ? cur.phone : change.phone,
      address: change.address === undefined ? cur.address : change.address,
      registeredHere: change.registeredHere ?? cur.registeredHere,
    };
    if (!next.nik && !next.jknNumber) throw new ClinicError('invalid', 'a NIK or a JKN card number is required', { field: 'nik', problem: 'nik_or_jkn_required' });
    if (next.nik) {
      const problem = checkNik(next.nik, next.sex, next.birthDate);
      if (problem) throw new ClinicError('invalid', `NIK does not check: ${problem}`, { field: 'nik', problem });
    }
    if (Date.parse(next.birthDate) > Date.now()) throw new ClinicError('invalid', 'birth date is in the future', { field: 'birthDate', problem: 'future' });
    const dup = await tx.query<{ id: string }>(`SELECT id FROM patients WHERE id <> $1 AND (nik = $2 OR jkn_number = $3)`, [id, next.nik, next.jknNumber]);
    if (dup.rows.length) throw new ClinicError('conflict', 'a patient with this NIK or JKN number exists', { patientId: dup.rows[0].id });
    const updated = await tx.query<Patient>(
      `UPDATE patients SET full_name = $2, nik = $3, jkn_number = $4, sex = $5, birth_date = $6, phone = $7, address = $8, registered_here = $9
        WHERE id = $1 RETURNING ${columns}`,
      [id, next.fullName, next.nik, next.jknNumber, next.sex, next.birthDate, next.phone, next.address, next.registeredHere],
    );
    // Which fields changed, never their values (the trail is read by the admin; values stay in the record).
    const fields = Object.keys(change)
      .filter((k) => (change as Record<string, unknown>)[k] !== undefined)
      .sort()
      .join(',');
    await audit(tx, actor, 'update', 'patient', id, id, fields);
    return updated.rows[0];
  });
}

export const allergyInput = z.object({ substance: text().trim().min(2).max(100), reaction: text().trim().max(200).default('') }).strict();
export type AllergyInput = z.input<typeof allergyInput>;

export interface Allergy {
  id: string;
  substance: string;
  reaction: string;
  recordedAt: string;
  recordedBy: string | null;
}

export async function listAllergies(db: Queryable, patientId: string): Promise<Allergy[]> {
  const { rows } = await db.query<Allergy>(
    `SELECT a.id, a.substance, a.reaction, a.recorded_at AS "recordedAt", s.full_name AS "recordedBy"
       FROM patient_allergies a LEFT JOIN staff s ON s.id = a.recorded_by
      WHERE a.patient_id = $1 AND a.removed_at IS NULL ORDER BY a.recorded_at`,
    [patientId],
  );
  return rows.map((r) => ({ ...r, recordedAt: new Date(r.recordedAt).toISOString() }));
}

export async function addAllergy(db: Db, actor: Actor, patientId: string, input: z.output<typeof allergyInput>): Promise<Allergy[]> {
  return db.transaction(async (tx) => {
    const p = await tx.query(`SELECT 1 FROM patients WHERE id = $1 AND merged_into IS NULL`, [patientId]);
    if (!p.rows.length) throw notFound('patient', patientId);
    const same = await tx.query(`SELECT 1 FROM patient_allergies WHERE patient_id = $1 AND lower(substance) = lower($2) AND removed_at IS NULL`, [patientId, input.substance]);
    if (!same.rows.length) {
      const id = randomUUID();
      await tx.query(`INSERT INTO patient_allergies (id, patient_id, substance, reaction, recorded_by) VALUES ($1,$2,$3,$4,$5)`, [
        id,
        patientId,
        input.substance,
        input.reaction,
        actor.staffId,
      ]);
      await audit(tx, actor, 'create', 'allergy', id, patientId);
    }
    return listAllergies(tx, patientId);
  });
}

/** Removes an allergy recorded in error (kept in the table with when, for the record). */
export async function removeAllergy(db: Db, actor: Actor, patientId: string, allergyId: string): Promise<Allergy[]> {
  return db.transaction(async (tx) => {
    const r = await tx.query(`UPDATE patient_allergies SET removed_at = now() WHERE id = $1 AND patient_id = $2 AND removed_at IS NULL RETURNING id`, [allergyId, patientId]);
    if (!r.rows.length) throw notFound('allergy', allergyId);
    await audit(tx, actor, 'update', 'allergy', allergyId, patientId, 'removed');
    return listAllergies(tx, patientId);
  });
}
