import { z } from '@hono/zod-openapi';
import { date, dateTime, id } from './common.ts';

/** Answers of the patient routes (routes/patients.ts); the shape of clinic/patients.ts `Patient`. */
export const patient = z
  .object({
    id,
    fullName: z.string(),
    nik: z.string().nullable(),
    jknNumber: z.string().nullable(),
    sex: z.enum(['L', 'P']),
    birthDate: date,
    phone: z.string().nullable(),
    address: z.string().nullable(),
    registeredHere: z.boolean(),
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

export const allergy = z.object({ id, substance: z.string(), reaction: z.string(), recordedAt: dateTime, recordedBy: z.string().nullable() }).openapi('Allergy');
export const allergiesAnswer = z.object({ allergies: z.array(allergy) });
export type AllergiesAnswer = z.infer<typeof allergiesAnswer>;

const diagnosis = z.object({ code: z.string(), name: z.string(), kind: z.enum(['primary', 'secondary']) });
export const patientHistoryAnswer = z
  .object({
    patient: patient.extend({ ageYears: z.number().int() }),
    allergies: z.array(allergy),
    visits: z.array(
      z.object({
        id,
        openedAt: dateTime,
        closedAt: dateTime.nullable(),
        status: z.enum(['open', 'closed']),
        poli: z.string(),
        mode: z.string(),
        doctorName: z.string(),
        diagnoses: z.array(diagnosis),
        vitals: z.record(z.string(), z.number()),
        medicines: z.array(z.object({ name: z.string(), strength: z.string(), unit: z.string(), quantity: z.number().int(), signa: z.string(), days: z.number().int() })),
      }),
    ),
    series: z.object({
      bloodPressure: z.array(z.object({ at: dateTime, systolic: z.number().int(), diastolic: z.number().int() })),
      weight: z.array(z.object({ at: dateTime, weight: z.number() })),
    }),
    referrals: z.array(
      z.object({
        id,
        createdAt: dateTime,
        hospitalName: z.string(),
        specialty: z.string(),
        diagnosisCode: z.string(),
        emergency: z.boolean(),
        status: z.string(),
        validUntil: date,
        scheduledFor: date.nullable(),
        answerNote: z.string().nullable(),
        open: z.boolean().openapi({ description: 'still to be used: issued, sent, accepted or scheduled, and valid' }),
      }),
    ),
  })
  .openapi('PatientHistory');
export type PatientHistoryAnswer = z.infer<typeof patientHistoryAnswer>;

export const mergeAnswer = z.object({
  keptPatientId: id,
  mergedPatientId: id,
  moved: z.object({
    encounters: z.number().int(),
    tickets: z.number().int(),
    prescriptions: z.number().int(),
    referrals: z.number().int(),
    consents: z.number().int(),
    allergies: z.number().int(),
  }),
});
export type MergeAnswer = z.infer<typeof mergeAnswer>;

/** Who a ticket or visit is, in a list or a visit header (clinic/patient-summaries.ts): never the whole NIK. */
export const patientSummary = z
  .object({
    id,
    fullName: z.string(),
    ageYears: z.number().int(),
    sex: z.enum(['L', 'P']),
    nikLast4: z.string().nullable().openapi({ description: 'the NIK’s last four digits' }),
    allergies: z.array(z.string()).openapi({ description: 'substances; empty for the admin' }),
  })
  .openapi('PatientSummary');
export type PatientSummaryAnswer = z.infer<typeof patientSummary>;
