import { type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { triageAnswer } from '../schemas/encounters.ts';
import { uuidParam } from './patients.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { vitalsUpdateInput } from '../../clinic/encounters.ts';
import { getTriage, recordTriage } from '../../clinic/triage.ts';

/** Triage vitals on a queue ticket, taken by the nurse before the doctor opens the visit. */
export function registerTriage(app: OpenAPIHono<AppEnv>) {
  const ticketId = uuidParam('id', demoIds.queueExamples.transfer);

  app.openapi(
    apiRoute(['nurse', 'doctor', 'midwife'], {
      method: 'put',
      path: '/api/v1/queue/tickets/{id}/vitals',
      tags: ['queue'],
      summary: 'Record triage vitals on a waiting ticket',
      description:
        'Values merge into what is recorded; null clears one (ranges as for an encounter’s vitals). Opening the visit copies them in as its first vitals; ' +
        'once the visit is open, vitals sent here go to the visit.',
      request: {
        params: ticketId,
        ...jsonBody(vitalsUpdateInput.meta({ example: { vitals: { systolic: 150, diastolic: 95, pulse: 84, temperature: 36.8, weight: 71.5, height: 165 } } })),
      },
      responses: {
        ...jsonResponses('the ticket’s triage vitals', triageAnswer),
        404: errorContent('no such ticket'),
        409: errorContent('the ticket is done or gone'),
        422: errorContent('diastolic not below systolic'),
      },
    }),
    async (c) => {
      const { db, queue } = c.get('deps');
      return c.json(await recordTriage(db, queue, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'midwife'], {
      method: 'get',
      path: '/api/v1/queue/tickets/{id}/vitals',
      tags: ['queue'],
      summary: 'A ticket’s triage vitals',
      request: { params: ticketId },
      responses: { ...jsonResponses('the ticket’s triage vitals', triageAnswer), 404: errorContent('no such ticket') },
    }),
    async (c) => {
      const { db, queue } = c.get('deps');
      return c.json(await getTriage(db, queue, actorOf(c), c.req.valid('param').id), 200);
    },
  );
}
