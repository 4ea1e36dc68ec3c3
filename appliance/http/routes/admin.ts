import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { auditAnswer, createdAnswer, outboxAnswer, staffAnswer, syncAnswer, unparkAnswer } from '../schemas/admin.ts';
import { paging } from './patients.ts';
import { listAudit } from '../../clinic/audit.ts';
import { listOutbox, listParked, outboxSummary, unpark } from '../../clinic/outbox.ts';
import { createStaff, listStaff, staffInput } from '../../clinic/staff.ts';
import { text } from '../../clinic/text.ts';
import { weakPassword } from '../../clinic/passwords.ts';
import { HttpError } from '../errors.ts';
import { words } from '../../words/index.ts';

const isoDateTime = text().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date or date-time');

export function registerAdmin(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['admin'], {
      method: 'get', path: '/api/v1/admin/audit', tags: ['admin'], summary: 'Who read or changed which patient’s clinical data',
      request: {
        query: z.object({
          staffId: text().uuid().optional(), patientId: text().uuid().optional(),
          entity: text().regex(/^[a-z_]{1,40}$/).optional().openapi({ example: 'patient' }),
          from: isoDateTime.optional(), to: isoDateTime.optional(), ...paging,
        }),
      },
      responses: jsonResponses('audit entries, newest first', auditAnswer),
    }),
    async (c) => c.json({ entries: await listAudit(c.get('deps').db, c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'get', path: '/api/v1/admin/outbox', tags: ['admin'], summary: 'What waits to be sent to the centre',
      request: { query: z.object(paging) },
      responses: jsonResponses('summary and latest entries', outboxAnswer),
    }),
    async (c) => {
      const db = c.get('deps').db;
      return c.json({ summary: await outboxSummary(db), entries: await listOutbox(db, c.req.valid('query')) }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'get', path: '/api/v1/admin/sync', tags: ['admin'], summary: 'The link to the centre: backlog, last sync, last error, parked records',
      responses: jsonResponses('sync state', syncAnswer),
    }),
    async (c) => {
      const { db, sync } = c.get('deps');
      return c.json({ sync: await sync.stats(), parked: await listParked(db) }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'post', path: '/api/v1/admin/sync/parked/{seq}/unpark', tags: ['admin'], summary: 'Send a parked record again (after the hub was fixed to accept it)',
      request: { params: z.object({ seq: z.coerce.number().int().min(1).openapi({ param: { name: 'seq', in: 'path' }, example: 1 }) }) },
      responses: { ...jsonResponses('whether a parked record was released', unparkAnswer), 404: errorContent('no parked record with that number') },
    }),
    async (c) => {
      const { db, sync } = c.get('deps');
      const released = await unpark(db, c.req.valid('param').seq);
      if (released) sync.kick();
      return c.json({ released }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'get', path: '/api/v1/admin/staff', tags: ['admin'], summary: 'Staff accounts', responses: jsonResponses('staff', staffAnswer),
    }),
    async (c) => c.json({ staff: await listStaff(c.get('deps').db) }, 200),
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'post', path: '/api/v1/admin/staff', tags: ['admin'], summary: 'Create a staff account',
      request: jsonBody(staffInput.meta({ example: { username: 'bidan.ani', fullName: 'Bidan Ani', role: 'nurse', password: 'pohon-mangga-berbuah-7' } })),
      responses: { ...jsonResponses('created', createdAnswer), 409: errorContent('username taken') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const weak = weakPassword(input.password, input);
      if (weak) throw new HttpError('validation_failed', { issues: [{ path: 'password', message: words(c.get('lang'))[`weakPassword_${weak}`], reason: weak }] });
      return c.json(await createStaff(c.get('deps').db, input), 200);
    },
  );
}
