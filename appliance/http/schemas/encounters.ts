import { z } from '@hono/zod-openapi';
import { encounterModes } from '../../clinic/encounters.ts';
import { dateTime, id, orNull } from './common.ts';
import { prescription } from './pharmacy.ts';
import { referral } from './referrals.ts';
import { patientSummary } from './patients.ts';

/** Answers of the encounter, consent and ICD-10 routes (routes/encounters.ts); clinic/encounters.ts and consents.ts shapes. */

export const icd10Code = z.object({ code: z.string().openapi({ example: 'J06.9' }), name: z.string(), nameEn: z.string().optional() }).openapi('Icd10Code');
export const icd10Answer = z.object({ codes: z.array(icd10Code) });
export type Icd10Answer = z.infer<typeof icd10Answer>;

const vitals = z
  .object({
    systolic: z.number().optional(),
    diastolic: z.number().optional(),
    pulse: z.number().optional(),
    respiratoryRate: z.number().optional(),
    temperature: z.number().optional(),
    spo2: z.number().optional(),
    weight: z.number().optional(),
    height: z.number().optional(),
  })
  .openapi('VitalSigns', { description: 'mmHg, per minute, °C, %, kg, cm; only those recorded' });

export const encounter = z
  .object({
    id,
    patientId: id,
    patientName: z.string(),
    ticketId: id.nullable(),
    doctorId: id,
    doctorName: z.string(),
    poli: z.string(),
    mode: z.enum(encounterModes),
    status: z.enum(['open', 'closed']),
    subjective: z.string(),
    objective: z.string(),
    assessment: z.string(),
    plan: z.string(),
    vitals,
    diagnoses: z.array(z.object({ code: z.string(), name: z.string(), kind: z.enum(['primary', 'secondary']) })),
    version: z.number().int(),
    openedAt: dateTime,
    closedAt: dateTime.nullable(),
  })
  .openapi('Encounter');
export type EncounterAnswer = z.infer<typeof encounter>;

export const encountersAnswer = z.object({ encounters: z.array(encounter) });
export type EncountersAnswer = z.infer<typeof encountersAnswer>;

export const consent = z
  .object({
    id,
    encounterId: id,
    patientId: id,
    method: z.enum(['patient_tap', 'verbal']),
    recordedBy: id.nullable(),
    recordedByName: z.string().nullable(),
    givenAt: dateTime,
    withdrawnAt: dateTime.nullable(),
    withdrawnBy: z.string().nullable().openapi({ description: '`patient` (through the ticket link) or `staff:<staff id>`' }),
    version: z.number().int(),
  })
  .openapi('Consent');
export type ConsentAnswer = z.infer<typeof consent>;

/** An encounter with its active consent, all consents, prescriptions and referrals. */
export const encounterDetail = encounter
  .extend({
    consent: orNull(consent),
    consents: z.array(consent),
    prescriptions: z.array(prescription),
    referrals: z.array(referral),
    patient: orNull(patientSummary).openapi({ description: 'who the patient is, for the visit’s header' }),
  })
  .openapi('EncounterDetail');
export type EncounterDetailAnswer = z.infer<typeof encounterDetail>;

export const triageAnswer = z
  .object({ ticketId: id, vitals, recordedAt: dateTime.nullable(), recordedBy: z.string().nullable(), encounterId: id.nullable() })
  .openapi('TriageVitals');
export type TriageAnswer = z.infer<typeof triageAnswer>;
