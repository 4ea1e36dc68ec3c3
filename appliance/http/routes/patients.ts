import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { allergiesAnswer, mergeAnswer, patient, patientHistoryAnswer, patientReadAnswer, patientsAnswer } from '../schemas/patients.ts';
import {
  addAllergy,
  allergyInput,
  findPatients,
  forDispensing,
  getPatient,
  patientInput,
  patientUpdateInput,
  registerPatient,
  removeAllergy,
  updatePatient,
} from '../../clinic/patients.ts';
import { patientHistory } from '../../clinic/patient-history.ts';
import { mergeInput, mergePatients } from '../../clinic/patient-merge.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { text } from '../../clinic/text.ts';

export const uuidParam = (name: string, example: string) =>
  z.object({
    [name]: text()
      .uuid()
      .openapi({ param: { name, in: 'path' }, example }),
  });

export const paging = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
};

export function registerPatients(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['nurse', 'doctor', 'admin', 'midwife'], {
      method: 'post',
      path: '/api/v1/patients',
      tags: ['patients'],
      summary: 'Register a patient',
      description: 'NIK is checked: 16 digits, a known region code, and its birth date (day + 40 for women) must match sex and birthDate.',
      request: jsonBody(patientInput.meta({ example: { fullName: 'Siti Rahmawati', nik: '3329015203900002', sex: 'P', birthDate: '1990-03-12', registeredHere: true } })),
      responses: { ...jsonResponses('the registered patient', patient), 409: errorContent('NIK or JKN number already registered'), 422: errorContent('NIK does not check') },
    }),
    async (c) => c.json(await registerPatient(c.get('deps').db, actorOf(c), c.req.valid('json')), 200),
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'admin', 'midwife'], {
      method: 'get',
      path: '/api/v1/patients',
      tags: ['patients'],
      summary: 'Find patients by NIK, JKN number or name (answers as you type)',
      request: { query: z.object({ q: text().trim().min(1).max(100).openapi({ example: 'Budi' }), ...paging }) },
      responses: jsonResponses('matching patients', patientsAnswer),
    }),
    async (c) => {
      const { q, limit, offset } = c.req.valid('query');
      return c.json({ patients: await findPatients(c.get('deps').db, actorOf(c), q, limit, offset) }, 200);
    },
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'pharmacist', 'admin', 'midwife'], {
      method: 'get',
      path: '/api/v1/patients/{id}',
      tags: ['patients'],
      summary: 'A patient (a pharmacist gets name, sex and date of birth only)',
      request: { params: uuidParam('id', demoIds.patient) },
      responses: { ...jsonResponses('the patient', patientReadAnswer), 404: errorContent('no such patient') },
    }),
    async (c) => {
      const actor = actorOf(c);
      const patient = await getPatient(c.get('deps').db, actor, c.req.valid('param').id);
      return c.json(actor.role === 'pharmacist' ? forDispensing(patient) : patient, 200);
    },
  );

  const patientId = uuidParam('id', demoIds.patient);

  app.openapi(
    apiRoute(['nurse', 'doctor', 'admin', 'midwife'], {
      method: 'patch',
      path: '/api/v1/patients/{id}',
      tags: ['patients'],
      summary: 'Change a patient’s details',
      description:
        'Only the fields sent change; `null` clears phone, address, NIK or JKN number (one of the two must stay). The NIK is checked as at registration. Audited (which fields, not their values).',
      request: { params: patientId, ...jsonBody(patientUpdateInput.meta({ example: { phone: '081234567890', address: 'Dusun Krajan RT 02 RW 03, Desa Demo' } })) },
      responses: {
        ...jsonResponses('the patient', patient),
        404: errorContent('no such patient'),
        409: errorContent('NIK or JKN number of another patient, or a merged record'),
        422: errorContent('NIK does not check'),
      },
    }),
    async (c) => c.json(await updatePatient(c.get('deps').db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  // The history is clinical: those who treat read it (the admin keeps accounts, not notes).
  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'get',
      path: '/api/v1/patients/{id}/history',
      tags: ['patients'],
      summary: 'The patient’s history for the visit',
      description:
        'Past visits (newest first) with diagnoses, vitals and medicines; the blood pressure and weight series of the last two years (oldest first, for a chart); allergies; referrals still open or answered. Audited.',
      request: { params: patientId, query: z.object({ visits: z.coerce.number().int().min(1).max(100).default(20) }) },
      responses: {
        ...jsonResponses('the history', patientHistoryAnswer),
        404: errorContent('no such patient'),
        409: errorContent('the record was merged into another (details.mergedInto)'),
      },
    }),
    async (c) => {
      const { db, queue } = c.get('deps');
      return c.json(await patientHistory(db, actorOf(c), c.req.valid('param').id, { visits: c.req.valid('query').visits, today: queue.today() }), 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'post',
      path: '/api/v1/patients/{id}/allergies',
      tags: ['patients'],
      summary: 'Record an allergy',
      description: 'The same substance twice is recorded once. Answers the patient’s allergies.',
      request: { params: patientId, ...jsonBody(allergyInput.meta({ example: { substance: 'Kotrimoksazol', reaction: 'ruam kulit' } })) },
      responses: { ...jsonResponses('the patient’s allergies', allergiesAnswer), 404: errorContent('no such patient') },
    }),
    async (c) => c.json({ allergies: await addAllergy(c.get('deps').db, actorOf(c), c.req.valid('param').id, c.req.valid('json')) }, 200),
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'post',
      path: '/api/v1/patients/{id}/allergies/{allergyId}/remove',
      tags: ['patients'],
      summary: 'Remove an allergy recorded in error',
      request: {
        params: z.object({
          id: text()
            .uuid()
            .openapi({ param: { name: 'id', in: 'path' }, example: demoIds.patient }),
          allergyId: text()
            .uuid()
            .openapi({ param: { name: 'allergyId', in: 'path' }, example: demoIds.allergy }),
        }),
      },
      responses: { ...jsonResponses('the patient’s allergies', allergiesAnswer), 404: errorContent('no such allergy') },
    }),
    async (c) => {
      const { id, allergyId } = c.req.valid('param');
      return c.json({ allergies: await removeAllergy(c.get('deps').db, actorOf(c), id, allergyId) }, 200);
    },
  );

  // Merging is the registration desk's (rekam medis) work; the admin covers it in a small puskesmas.
  app.openapi(
    apiRoute(['nurse', 'admin'], {
      method: 'post',
      path: '/api/v1/patients/{id}/merge',
      tags: ['patients'],
      summary: 'Merge a duplicate record into this one',
      description:
        'Visits, queue numbers, prescriptions, referrals, consents and allergies of `duplicateId` move to this patient; the duplicate stays, marked as merged. ' +
        'The centre gets the moved visits again under this patient and a `patient_merge` record. Refused while the duplicate has an open visit. Audited on both records.',
      request: { params: patientId, ...jsonBody(mergeInput.meta({ example: { duplicateId: demoIds.patientDuplicate } })) },
      responses: {
        ...jsonResponses('what moved', mergeAnswer),
        404: errorContent('no such patient'),
        409: errorContent('already merged, or an open visit'),
        422: errorContent('the same record'),
      },
    }),
    async (c) => {
      const { db, queue, settings } = c.get('deps');
      return c.json(await mergePatients(db, queue, actorOf(c), c.req.valid('param').id, c.req.valid('json').duplicateId, settings.facility.code), 200);
    },
  );
}
