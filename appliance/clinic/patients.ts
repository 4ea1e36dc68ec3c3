import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { likeLiteral, type Db, type Queryable } from './db.ts';
import { ClinicError, notFound } from './errors.ts';
import { checkNik } from './identity-numbers.ts';
import { audit, type Actor } from './audit.ts';
import { text } from './text.ts';

const isoDate = text().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

export const patientInput = z
  .object({
    fullName: text().trim().min(2).max(100),
    nik: text().regex(/^\d{16}$/, 'NIK is 16 digits').optional(),
    jknNumber: text().regex(/^\d{13}$/, 'JKN card number is 13 digits').optional(),
    sex: z.enum(['L', 'P']),
    birthDate: isoDate,
    phone: text().regex(/^\+?\d{8,15}$/).optional(),
    address: text().max(200).optional(),
    registeredHere: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.nik || p.jknNumber, { message: 'a NIK or a JKN card number is required', path: ['nik'] });
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
    const dup = await tx.query<{ id: string }>(
      `SELECT id FROM patients WHERE nik = $1 OR jkn_number = $2`,
      [input.nik ?? null, input.jknNumber ?? null],
    );
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
    rows = (await db.query<Patient>(`SELECT ${columns} FROM patients WHERE nik = $1 OR jkn_number = $1`, [term])).rows;
  } else if (/^\d+$/.test(term)) {
    rows = (await db.query<Patient>(
      `SELECT ${columns} FROM patients WHERE nik LIKE $1 OR jkn_number LIKE $1 ORDER BY full_name LIMIT $2 OFFSET $3`,
      [`${likeLiteral(term)}%`, limit, offset],
    )).rows;
  } else {
    rows = (await db.query<Patient>(
      `SELECT ${columns} FROM patients WHERE lower(full_name) LIKE $1 OR lower(full_name) LIKE $2 ORDER BY full_name LIMIT $3 OFFSET $4`,
      [`${likeLiteral(term.toLowerCase())}%`, `% ${likeLiteral(term.toLowerCase())}%`, limit, offset],
    )).rows;
  }
  // What was searched is patient data: it belongs in the audit trail (never in a log line).
  await audit(db, actor, 'list', 'patient', null, null, term);
  return rows;
}
