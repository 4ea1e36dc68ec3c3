import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { patient, patientReadAnswer, patientsAnswer } from '../schemas/patients.ts';
import { findPatients, forDispensing, getPatient, patientInput, registerPatient } from '../../clinic/patients.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { text } from '../../clinic/text.ts';

export const uuidParam = (name: string, example: string) =>
  z.object({ [name]: text().uuid().openapi({ param: { name, in: 'path' }, example }) });

export const paging = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
};

export function registerPatients(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['nurse', 'doctor', 'admin'], {
      method: 'post', path: '/api/v1/patients', tags: ['patients'], summary: 'Register a patient',
      description: 'NIK is checked: 16 digits, a known region code, and its birth date (day + 40 for women) must match sex and birthDate.',
      request: jsonBody(patientInput.meta({ example: { fullName: 'Siti Rahmawati', nik: '3329015203900002', sex: 'P', birthDate: '1990-03-12', registeredHere: true } })),
      responses: { ...jsonResponses('the registered patient', patient), 409: errorContent('NIK or JKN number already registered'), 422: errorContent('NIK does not check') },
    }),
    async (c) => c.json(await registerPatient(c.get('deps').db, actorOf(c), c.req.valid('json')), 200),
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'admin'], {
      method: 'get', path: '/api/v1/patients', tags: ['patients'], summary: 'Find patients by NIK, JKN number or name (answers as you type)',
      request: { query: z.object({ q: text().trim().min(1).max(100).openapi({ example: 'Budi' }), ...paging }) },
      responses: jsonResponses('matching patients', patientsAnswer),
    }),
    async (c) => {
      const { q, limit, offset } = c.req.valid('query');
      return c.json({ patients: await findPatients(c.get('deps').db, actorOf(c), q, limit, offset) }, 200);
    },
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'pharmacist', 'admin'], {
      method: 'get', path: '/api/v1/patients/{id}', tags: ['patients'], summary: 'A patient (a pharmacist gets name, sex and date of birth only)',
      request: { params: uuidParam('id', demoIds.patient) },
      responses: { ...jsonResponses('the patient', patientReadAnswer), 404: errorContent('no such patient') },
    }),
    async (c) => {
      const actor = actorOf(c);
      const patient = await getPatient(c.get('deps').db, actor, c.req.valid('param').id);
      return c.json(actor.role === 'pharmacist' ? forDispensing(patient) : patient, 200);
    },
  );
}
