import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { consent, encounter, encounterDetail, encountersAnswer, icd10Answer } from '../schemas/encounters.ts';
import { paging, uuidParam } from './patients.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import {
  closeEncounter,
  findEncounter,
  getEncounter,
  listEncounters,
  openEncounterInput,
  openEncounter,
  updateEncounter,
  updateEncounterInput,
  vitalsUpdateInput,
} from '../../clinic/encounters.ts';
import { activeConsent, giveConsent, listConsents, withdrawConsent } from '../../clinic/consents.ts';
import { prescriptionsOfEncounter } from '../../clinic/prescriptions.ts';
import { referralsOfEncounter } from '../../clinic/referrals.ts';
import { searchIcd10 } from '../../clinic/icd10.ts';
import { text } from '../../clinic/text.ts';
import { patientSummaries } from '../../clinic/patient-summaries.ts';

const encounterId = uuidParam('id', demoIds.encounter);
const allStaff = ['doctor', 'nurse', 'pharmacist', 'admin', 'midwife'] as const;
const conflict = { 409: errorContent('not possible in the encounter’s state, or changed meanwhile (reload)') };

/** Encounters (SOAP, vitals, ICD-10 diagnoses, mode), their consent, and the ICD-10 search. */
export function registerEncounters(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute([...allStaff], {
      method: 'get',
      path: '/api/v1/icd10',
      tags: ['encounters'],
      summary: 'Search ICD-10 diagnoses (answers as you type)',
      description: 'By code ("J06", "j069") or by words in Bahasa Indonesia or English, including lay terms ("darah tinggi", "maag").',
      request: {
        query: z.object({
          q: text().trim().min(1).max(100).openapi({ example: 'ispa' }),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
      },
      responses: jsonResponses('matching codes, best first', icd10Answer),
    }),
    (c) => {
      const { q, limit } = c.req.valid('query');
      return c.json({ codes: searchIcd10(q, limit) }, 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/encounters',
      tags: ['encounters'],
      summary: 'Open an encounter from a queue ticket',
      description:
        'The ticket must have a patient attached. A ticket still waiting, or called to another room, is called to `room` (the doctor’s; default: the poli’s first room); the ticket becomes `serving`. ' +
        'Opening a ticket that already has an open encounter answers that encounter.',
      request: jsonBody(openEncounterInput.meta({ example: { ticketId: demoIds.ticket, mode: 'in_person' } })),
      responses: { ...jsonResponses('the open encounter', encounter), 404: errorContent('no such ticket'), ...conflict, 422: errorContent('the ticket has no patient') },
    }),
    async (c) => {
      const { db, queue } = c.get('deps');
      return c.json(await openEncounter(db, queue, actorOf(c), c.req.valid('json')), 200);
    },
  );

  // SOAP notes, vitals and diagnoses are for those who treat: the admin keeps accounts and the
  // audit log and reads no clinical notes (least privilege; the same for referrals).
  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'get',
      path: '/api/v1/encounters',
      tags: ['encounters'],
      summary: 'Encounters of a patient or of a ticket, newest first',
      request: {
        query: z.object({
          patientId: text().uuid().optional().openapi({ example: demoIds.patient }),
          ticketId: text().uuid().optional(),
          status: z.enum(['open', 'closed']).optional(),
          ...paging,
        }),
      },
      responses: jsonResponses('encounters', encountersAnswer),
    }),
    async (c) => c.json({ encounters: await listEncounters(c.get('deps').db, actorOf(c), c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'get',
      path: '/api/v1/encounters/{id}',
      tags: ['encounters'],
      summary: 'An encounter with its consent, prescriptions and referrals',
      request: { params: encounterId },
      responses: { ...jsonResponses('the encounter', encounterDetail), 404: errorContent('no such encounter') },
    }),
    async (c) => {
      const db = c.get('deps').db;
      const id = c.req.valid('param').id;
      const encounter = await getEncounter(db, actorOf(c), id);
      const [consent, consents, prescriptions, referrals, who] = await Promise.all([
        activeConsent(db, id),
        listConsents(db, id),
        prescriptionsOfEncounter(db, id),
        referralsOfEncounter(db, id),
        patientSummaries(db, actorOf(c), [encounter.patientId], c.get('deps').queue.today()),
      ]);
      return c.json({ ...encounter, consent, consents, prescriptions, referrals, patient: who.get(encounter.patientId) ?? null }, 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'patch',
      path: '/api/v1/encounters/{id}',
      tags: ['encounters'],
      summary: 'Change an open encounter: SOAP notes, vitals, diagnoses, mode',
      description:
        'Only the fields sent change. Vitals merge (null clears one); diagnoses replace the list and hold at most one primary (closing needs one). ' +
        'Send the `version` you loaded to refuse overwriting another tablet’s change.',
      request: {
        params: encounterId,
        ...jsonBody(
          updateEncounterInput.meta({
            example: {
              subjective: 'Demam 3 hari, batuk pilek.',
              assessment: 'ISPA',
              plan: 'Parasetamol, kontrol bila 3 hari tidak membaik.',
              vitals: { systolic: 120, diastolic: 80, temperature: 38.2 },
              diagnoses: [
                { code: 'J06.9', kind: 'primary' },
                { code: 'I10', kind: 'secondary' },
              ],
            },
          }),
        ),
      },
      responses: { ...jsonResponses('the encounter', encounter), 404: errorContent('no such encounter'), ...conflict, 422: errorContent('invalid vitals') },
    }),
    async (c) => {
      const { db, queue } = c.get('deps');
      const id = c.req.valid('param').id;
      const input = c.req.valid('json');
      const before = input.mode !== undefined ? await findEncounter(db, id) : null;
      const after = await updateEncounter(db, actorOf(c), id, input);
      // A switch to (or from) a remote consultation reaches the patient's phone at once: its
      // ticket stream hears of it and the page asks for consent again.
      if (before && before.mode !== after.mode && after.ticketId) await queue.visitChanged(after.ticketId, 'mode');
      return c.json(after, 200);
    },
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'midwife'], {
      method: 'put',
      path: '/api/v1/encounters/{id}/vitals',
      tags: ['encounters'],
      summary: 'Record vital signs of an open encounter',
      description:
        'Values merge into what is recorded; null clears one. Ranges: systolic 40–300, diastolic 20–200 (below systolic) mmHg, pulse 20–250/min, respiratory rate 4–80/min, temperature 30–45 °C, SpO2 50–100 %, weight 0.3–350 kg, height 20–250 cm.',
      request: {
        params: encounterId,
        ...jsonBody(
          vitalsUpdateInput.meta({ example: { vitals: { systolic: 130, diastolic: 85, pulse: 90, respiratoryRate: 20, temperature: 37.8, spo2: 97, weight: 60.5, height: 158 } } }),
        ),
      },
      responses: { ...jsonResponses('the encounter', encounter), 404: errorContent('no such encounter'), ...conflict, 422: errorContent('invalid vitals') },
    }),
    async (c) => c.json(await updateEncounter(c.get('deps').db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/encounters/{id}/close',
      tags: ['encounters'],
      summary: 'Close the encounter',
      description: 'Needs a primary diagnosis. Queues the encounter summary for the centre and marks the queue ticket done.',
      request: { params: encounterId },
      responses: { ...jsonResponses('the closed encounter', encounter), 404: errorContent('no such encounter'), ...conflict, 422: errorContent('no primary diagnosis') },
    }),
    async (c) => {
      const { db, queue, settings } = c.get('deps');
      return c.json(await closeEncounter(db, queue, actorOf(c), c.req.valid('param').id, settings.facility.code), 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'post',
      path: '/api/v1/encounters/{id}/consent',
      tags: ['consent'],
      summary: 'Record the patient’s verbal consent to an audio-visual consultation',
      description: 'The logged-in staff member is recorded as the one who heard the consent. If consent is already active, answers it.',
      request: { params: encounterId },
      responses: { ...jsonResponses('the consent', consent), 404: errorContent('no such encounter'), ...conflict },
    }),
    async (c) => c.json(await giveConsent(c.get('deps').db, c.req.valid('param').id, { kind: 'staff', actor: actorOf(c) }), 200),
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'midwife'], {
      method: 'post',
      path: '/api/v1/encounters/{id}/consent/withdraw',
      tags: ['consent'],
      summary: 'Record that the patient withdrew consent',
      request: { params: encounterId },
      responses: { ...jsonResponses('the withdrawn consent', consent), 404: errorContent('no such encounter'), 409: errorContent('no active consent') },
    }),
    async (c) => c.json(await withdrawConsent(c.get('deps').db, c.req.valid('param').id, { kind: 'staff', actor: actorOf(c) }), 200),
  );
}
