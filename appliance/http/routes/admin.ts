import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { auditAnswer, createdAnswer, outboxAnswer, staffAnswer, syncAnswer, unparkAnswer } from '../schemas/admin.ts';
import { z as zod } from 'zod';
import { paging } from './patients.ts';
import { listAudit } from '../../clinic/audit.ts';
import { listOutbox, listParked, outboxSummary, unpark } from '../../clinic/outbox.ts';
import { activateStaff, createStaff, deactivateStaff, listStaff, resetPassword, staffIdentity, staffInput } from '../../clinic/staff.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { actorOf } from '../access.ts';
import { okAnswer } from '../schemas/admin.ts';
import { uuidParam } from './patients.ts';
import { text } from '../../clinic/text.ts';
import { weakPassword } from '../../clinic/passwords.ts';
import { errorResponse, HttpError } from '../errors.ts';
import { words } from '../../words/index.ts';
import { auditLabel } from '../audit-labels.ts';

const isoDateTime = text().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date or date-time');

export function registerAdmin(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['admin'], {
      method: 'get',
      path: '/api/v1/admin/audit',
      tags: ['admin'],
      summary: 'Who read or changed which patient’s clinical data',
      description:
        '“Who opened this patient’s record”: `patient` finds the patient as the desk does — a name (or the start of a word of it), a NIK or a JKN number. ' +
        'Each row names the staff member and the patient, and carries `actionKey` (for the page’s word catalog) and `actionText` in the request’s language. ' +
        '`from` after `to` is refused (422).',
      request: {
        query: z.object({
          staffId: text().uuid().optional(),
          patientId: text().uuid().optional(),
          patient: text().trim().min(2).max(100).optional().openapi({ example: 'Budi' }),
          entity: text()
            .regex(/^[a-z_]{1,40}$/)
            .optional()
            .openapi({ example: 'patient' }),
          from: isoDateTime.optional(),
          to: isoDateTime.optional(),
          ...paging,
        }),
      },
      responses: { ...jsonResponses('audit entries, newest first', auditAnswer), 422: errorContent('`from` is after `to`') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const lang = c.get('lang');
      if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
        const message = words(lang).auditRangeReversed;
        return errorResponse(c, 'invalid', { issues: [{ path: 'from', code: 'range_reversed', message }] }, message);
      }
      const rows = await listAudit(c.get('deps').db, q);
      return c.json(
        {
          entries: rows.map(({ staff_name, patient_name, ...r }) => {
            const label = auditLabel(r.action, r.entity, lang);
            return { ...r, staffName: staff_name, patientName: patient_name, actionKey: label.key, actionText: label.text };
          }),
        },
        200,
      );
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'get',
      path: '/api/v1/admin/outbox',
      tags: ['admin'],
      summary: 'What waits to be sent to the centre',
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
      method: 'get',
      path: '/api/v1/admin/sync',
      tags: ['admin'],
      summary: 'The link to the centre: backlog, last sync, last error, parked records',
      responses: jsonResponses('sync state', syncAnswer),
    }),
    async (c) => {
      const { db, sync } = c.get('deps');
      return c.json({ sync: await sync.stats(), parked: await listParked(db) }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'post',
      path: '/api/v1/admin/sync/parked/{seq}/unpark',
      tags: ['admin'],
      summary: 'Send a parked record again (after the hub was fixed to accept it)',
      request: {
        params: z.object({
          seq: z.coerce
            .number()
            .int()
            .min(1)
            .openapi({ param: { name: 'seq', in: 'path' }, example: 1 }),
        }),
      },
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
      method: 'get',
      path: '/api/v1/admin/staff',
      tags: ['admin'],
      summary: 'Staff accounts',
      responses: jsonResponses('staff', staffAnswer),
    }),
    async (c) => c.json({ staff: await listStaff(c.get('deps').db) }, 200),
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'post',
      path: '/api/v1/admin/staff',
      tags: ['admin'],
      summary: 'Create a staff account',
      request: jsonBody(staffInput.meta({ example: { username: 'bidan.ani', fullName: 'Bdn. Ani Rahayu', role: 'midwife', password: 'pohon-mangga-berbuah-7' } })),
      responses: { ...jsonResponses('created', createdAnswer), 409: errorContent('username taken') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const weak = weakPassword(input.password, input);
      if (weak) throw new HttpError('validation_failed', { issues: [{ path: 'password', message: words(c.get('lang'))[`weakPassword_${weak}`], reason: weak }] });
      return c.json(await createStaff(c.get('deps').db, input), 200);
    },
  );

  const staffId = uuidParam('id', demoIds.staffExample);
  const weakCheck = (lang: 'id' | 'en', password: string, who: { username: string; fullName: string }, path: string) => {
    const weak = weakPassword(password, who);
    if (weak) throw new HttpError('validation_failed', { issues: [{ path, message: words(lang)[`weakPassword_${weak}`], reason: weak }] });
  };

  app.openapi(
    apiRoute(['admin'], {
      method: 'post',
      path: '/api/v1/admin/staff/{id}/deactivate',
      tags: ['admin'],
      summary: 'Deactivate a staff account (it cannot log in; its sessions end at once)',
      description: 'Not your own account, and not the last active admin. Audited.',
      request: { params: staffId },
      responses: { ...jsonResponses('deactivated', okAnswer), 404: errorContent('no such account'), 422: errorContent('own account or last admin') },
    }),
    async (c) => {
      await deactivateStaff(c.get('deps').db, actorOf(c), c.req.valid('param').id);
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'post',
      path: '/api/v1/admin/staff/{id}/activate',
      tags: ['admin'],
      summary: 'Activate a deactivated staff account again',
      request: { params: staffId },
      responses: { ...jsonResponses('active', okAnswer), 404: errorContent('no such account') },
    }),
    async (c) => {
      await activateStaff(c.get('deps').db, actorOf(c), c.req.valid('param').id);
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(
    apiRoute(['admin'], {
      method: 'put',
      path: '/api/v1/admin/staff/{id}/password',
      tags: ['admin'],
      summary: 'Set a temporary password (the user must change it at the next login)',
      description: 'The account’s sessions end. Until the user changes it (POST /api/v1/auth/password), every other call answers 403 `password_change_required`. Audited.',
      request: {
        params: staffId,
        ...jsonBody(
          zod
            .object({ password: text().min(10).max(200) })
            .strict()
            .meta({ example: { password: 'sementara-pagi-jeruk-31' } }),
        ),
      },
      responses: { ...jsonResponses('set', okAnswer), 404: errorContent('no such account') },
    }),
    async (c) => {
      const { db } = c.get('deps');
      const id = c.req.valid('param').id;
      const { password } = c.req.valid('json');
      weakCheck(c.get('lang'), password, await staffIdentity(db, id), 'password');
      await resetPassword(db, actorOf(c), id, password);
      return c.json({ ok: true }, 200);
    },
  );
}
