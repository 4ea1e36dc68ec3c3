import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';

/** Encounters, consent, prescriptions, pharmacy, referrals, ICD-10 and formulary search. */
export function registerClinical(_app: OpenAPIHono<AppEnv>) {}
