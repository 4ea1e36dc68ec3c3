import { z } from '@hono/zod-openapi';
import { date, id } from './common.ts';

/** Answers of the patient routes (routes/patients.ts); the shape of clinic/patients.ts `Patient`. */
export const patient = z
  .object({
    id, fullName: z.string(), nik: z.string().nullable(), jknNumber: z.string().nullable(), sex: z.enum(['L', 'P']),
    birthDate: date, phone: z.string().nullable(), address: z.string().nullable(), registeredHere: z.boolean(),
  })
  .openapi('Patient');
export type PatientAnswer = z.infer<typeof patient>;

/** What the pharmacy counter reads of a patient: name, sex and date of birth (least privilege). */
export const patientForDispensing = patient.pick({ id: true, fullName: true, sex: true, birthDate: true }).openapi('PatientForDispensing');
export type PatientForDispensingAnswer = z.infer<typeof patientForDispensing>;

export const patientsAnswer = z.object({ patients: z.array(patient) });
export type PatientsAnswer = z.infer<typeof patientsAnswer>;

export const patientReadAnswer = z.union([patient, patientForDispensing]).openapi({ description: 'a pharmacist gets `PatientForDispensing`' });
export type PatientReadAnswer = z.infer<typeof patientReadAnswer>;
