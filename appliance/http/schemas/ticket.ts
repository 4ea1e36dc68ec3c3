import { z } from '@hono/zod-openapi';
import { encounterModes } from '../../clinic/encounters.ts';
import { dateTime } from './common.ts';
import { patientPrescription } from './pharmacy.ts';
import { patientReferral } from './referrals.ts';

/** Answers of what a patient's ticket link grants beyond its status (routes/ticket-clinical.ts). */

export const ticketConsentAnswer = z
  .object({
    encounterMode: z.enum(encounterModes).nullable().openapi({ description: 'null when no consultation was opened for the ticket' }),
    encounterOpen: z.boolean(),
    consent: z.object({ method: z.enum(['patient_tap', 'verbal']), givenAt: dateTime, recordedByName: z.string().nullable() }).nullable(),
  })
  .openapi('TicketConsent');
export type TicketConsentAnswer = z.infer<typeof ticketConsentAnswer>;

export const ticketDocumentsAnswer = z.object({ prescriptions: z.array(patientPrescription), referrals: z.array(patientReferral) });
export type TicketDocumentsAnswer = z.infer<typeof ticketDocumentsAnswer>;
