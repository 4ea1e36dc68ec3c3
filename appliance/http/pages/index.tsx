import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { registerAssets } from './assets.ts';
import { registerVoiceClips } from './voice-clips.ts';
import { registerPatientPages } from './patient.tsx';
import { registerDisplayPages } from './display.tsx';
import { registerStaffLogin } from './staff/login.tsx';
import { registerStaffHome } from './staff/home.tsx';
import { registerQueueBoard } from './staff/antrean.tsx';
import { registerAdminPage } from './staff/admin.tsx';
import { registerReferralLetter } from './referral-letter.tsx';
import { registerClinicalPages } from './clinical.tsx';
import { registerOfficePages } from './office/index.ts';

/** Server-rendered pages: patient (phone), staff (tablet), waiting-room screen (TV). */
export function registerPages(app: OpenAPIHono<AppEnv>) {
  registerAssets(app);
  registerVoiceClips(app);
  registerReferralLetter(app);
  registerPatientPages(app);
  registerDisplayPages(app);
  registerClinicalPages(app);
  registerStaffLogin(app);
  registerStaffHome(app);
  registerQueueBoard(app);
  registerAdminPage(app);
  registerOfficePages(app);
}
