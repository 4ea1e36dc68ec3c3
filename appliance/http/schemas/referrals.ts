import { z } from '@hono/zod-openapi';
import { referralStatuses } from '../../clinic/referrals.ts';
import { date, dateTime, id } from './common.ts';

/** Answers of the hospital and referral routes (routes/referrals.ts); clinic/referrals.ts shapes. */

export const hospital = z.object({ code: z.string(), name: z.string(), specialties: z.array(z.string()), acceptsEmergency: z.boolean() }).openapi('Hospital');
export const hospitalsAnswer = z.object({ hospitals: z.array(hospital) });
export type HospitalsAnswer = z.infer<typeof hospitalsAnswer>;

const referralStatus = z.enum(referralStatuses);

export const referral = z
  .object({
    id,
    encounterId: id,
    patientId: id,
    patientName: z.string(),
    referrerId: id,
    referrerName: z.string(),
    hospitalCode: z.string(),
    hospitalName: z.string(),
    specialty: z.string(),
    diagnosisCode: z.string(),
    diagnosisName: z.string(),
    reason: z.string(),
    emergency: z.boolean(),
    status: referralStatus,
    validUntil: date,
    scheduledFor: date.nullable(),
    answerNote: z.string().nullable(),
    version: z.number().int(),
    createdAt: dateTime,
    updatedAt: dateTime,
    ticketId: id.nullable(),
  })
  .openapi('Referral');
export type ReferralAnswer = z.infer<typeof referral>;

export const referralsAnswer = z.object({ referrals: z.array(referral) });
export type ReferralsAnswer = z.infer<typeof referralsAnswer>;

/** The patient's referral copy through the ticket link (no staff or patient ids). */
export const patientReferral = z
  .object({
    id,
    hospitalCode: z.string(),
    hospitalName: z.string(),
    specialty: z.string(),
    diagnosisCode: z.string(),
    diagnosisName: z.string(),
    reason: z.string(),
    emergency: z.boolean(),
    status: referralStatus,
    validUntil: date,
    scheduledFor: date.nullable(),
    referrerName: z.string(),
    createdAt: dateTime,
    letter: z.string().openapi({ description: 'printable copy: /t/{token}/rujukan/{id}' }),
  })
  .openapi('PatientReferral');
