import { existsSync } from 'node:fs';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { registerAssets } from './assets.ts';
import { registerPatientPages } from './patient.tsx';
import { registerDisplayPages } from './display.tsx';
import { registerStaffPages } from './staff.tsx';

// The printable referral letter is another page file; it joins when it exists.
const referralFile = new URL('./referral-letter.tsx', import.meta.url);
const referral = existsSync(referralFile)
  ? ((await import(referralFile.href)) as { registerReferralLetter?: (app: OpenAPIHono<AppEnv>) => void })
  : null;

/** Server-rendered pages: patient (phone), staff (tablet), waiting-room screen (TV). */
export function registerPages(app: OpenAPIHono<AppEnv>) {
  registerAssets(app);
  referral?.registerReferralLetter?.(app);
  registerPatientPages(app);
  registerDisplayPages(app);
  registerStaffPages(app);
}
