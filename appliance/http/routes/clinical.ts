import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { registerEncounters } from './encounters.ts';
import { registerPrescriptions } from './prescriptions.ts';
import { registerReferrals } from './referrals.ts';
import { registerTicketClinical } from './ticket-clinical.ts';

/** Encounters, consent, prescriptions, pharmacy, referrals, ICD-10 and formulary search. */
export function registerClinical(app: OpenAPIHono<AppEnv>) {
  registerEncounters(app);
  registerPrescriptions(app);
  registerReferrals(app);
  registerTicketClinical(app);
}
