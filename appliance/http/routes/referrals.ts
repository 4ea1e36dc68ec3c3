import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { hospitalsAnswer, referral, referralsAnswer } from '../schemas/referrals.ts';
import { paging, uuidParam } from './patients.ts';
import { assertMayTreatEncounter, assertMayTreatReferral } from '../../clinic/midwife.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { listHospitals } from '../../clinic/hospitals.ts';
import { createReferral, getReferral, issueReferral, listReferrals, referralDraftUpdate, referralInput, referralStatuses, updateReferralDraft } from '../../clinic/referrals.ts';
import { text } from '../../clinic/text.ts';

const referralId = uuidParam('id', demoIds.referral);

/** Hospitals (FKRTL) and referrals (rujukan). Hospital answers arrive through sync, not here. */
export function registerReferrals(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['doctor', 'nurse', 'admin', 'midwife'], {
      method: 'get',
      path: '/api/v1/hospitals',
      tags: ['referrals'],
      summary: 'Referral hospitals (FKRTL): BPJS code, name, specialties',
      responses: jsonResponses('hospitals', hospitalsAnswer),
    }),
    async (c) => c.json({ hospitals: await listHospitals(c.get('deps').db) }, 200),
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/referrals',
      tags: ['referrals'],
      summary: 'Refer the patient of an open encounter to a hospital',
      description:
        'A draft unless `issue` is true. `validUntil` defaults to the clinic day plus the box’s referral validity (90 days unless configured). ' +
        '`emergency` marks a direct (emergency) referral. The specialty must be one the hospital lists.',
      request: jsonBody(
        referralInput.meta({
          example: {
            encounterId: demoIds.encounter,
            hospitalCode: demoIds.hospital,
            specialty: 'Penyakit Dalam',
            diagnosisCode: 'I10',
            reason: 'Hipertensi tidak terkontrol dengan dua obat; mohon evaluasi dan tata laksana lanjut.',
            emergency: false,
            issue: true,
          },
        }),
      ),
      responses: {
        ...jsonResponses('the referral', referral),
        404: errorContent('no such encounter'),
        409: errorContent('the encounter is closed'),
        422: errorContent('unknown hospital or specialty, or a bad valid-until'),
      },
    }),
    async (c) => {
      const { db, settings } = c.get('deps');
      const input = c.req.valid('json');
      await assertMayTreatEncounter(db, actorOf(c), input.encounterId);
      return c.json(await createReferral(db, actorOf(c), settings, input), 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'get',
      path: '/api/v1/referrals',
      tags: ['referrals'],
      summary: 'Referrals, newest first, by patient, encounter or status',
      request: {
        query: z.object({
          patientId: text().uuid().optional().openapi({ example: demoIds.patient }),
          encounterId: text().uuid().optional(),
          status: z.enum(referralStatuses).optional(),
          ...paging,
        }),
      },
      responses: jsonResponses('referrals', referralsAnswer),
    }),
    async (c) => c.json({ referrals: await listReferrals(c.get('deps').db, actorOf(c), c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'get',
      path: '/api/v1/referrals/{id}',
      tags: ['referrals'],
      summary: 'A referral (the letter: /staff/rujukan/{id}/cetak)',
      request: { params: referralId },
      responses: { ...jsonResponses('the referral', referral), 404: errorContent('no such referral') },
    }),
    async (c) => c.json(await getReferral(c.get('deps').db, actorOf(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'patch',
      path: '/api/v1/referrals/{id}',
      tags: ['referrals'],
      summary: 'Change a draft referral',
      request: {
        params: referralId,
        ...jsonBody(referralDraftUpdate.meta({ example: { specialty: 'Jantung', reason: 'Nyeri dada berulang, EKG tidak tersedia di puskesmas.' } })),
      },
      responses: {
        ...jsonResponses('the referral', referral),
        404: errorContent('no such referral'),
        409: errorContent('not a draft any more, or changed meanwhile'),
        422: errorContent('unknown hospital or specialty'),
      },
    }),
    async (c) => {
      const { db, settings } = c.get('deps');
      await assertMayTreatReferral(db, actorOf(c), c.req.valid('param').id);
      return c.json(await updateReferralDraft(db, actorOf(c), settings, c.req.valid('param').id, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/referrals/{id}/issue',
      tags: ['referrals'],
      summary: 'Issue a draft referral (then it can be printed and is on the patient’s ticket link)',
      request: { params: referralId },
      responses: { ...jsonResponses('the issued referral', referral), 404: errorContent('no such referral'), 409: errorContent('not a draft') },
    }),
    async (c) => {
      const { db, settings } = c.get('deps');
      await assertMayTreatReferral(db, actorOf(c), c.req.valid('param').id);
      return c.json(await issueReferral(db, actorOf(c), settings, c.req.valid('param').id), 200);
    },
  );
}
