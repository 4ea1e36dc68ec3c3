import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiRoute, errorContent, jsonResponses } from '../openapi.ts';
import { ticketConsentAnswer, ticketDocumentsAnswer, type TicketConsentAnswer } from '../schemas/ticket.ts';
import { HttpError } from '../errors.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import type { Ticket } from '../../clinic/queue.ts';
import type { EncounterMode } from '../../clinic/encounters.ts';
import { activeConsent, encounterOfTicket, giveConsent, withdrawConsent } from '../../clinic/consents.ts';
import { ClinicError } from '../../clinic/errors.ts';
import { prescriptionsForTicket } from '../../clinic/prescriptions.ts';
import { referralsForTicket } from '../../clinic/referrals.ts';
import { text } from '../../clinic/text.ts';

export const ticketTokenParam = z.object({
  token: text()
    .regex(/^[A-Za-z0-9_-]{20,64}$/)
    .openapi({ param: { name: 'token', in: 'path' }, example: demoIds.ticketToken }),
});
const ticketResponses = { 404: errorContent('no such ticket'), 410: errorContent('ticket link expired') };

/** The ticket a patient's link stands for; unknown → 404, past the day's service → 410. */
export async function ticketOfLink(c: Context<AppEnv>, token: string): Promise<Ticket> {
  const view = await c.get('deps').queue.view(token);
  if (!view) throw new HttpError('not_found', { entity: 'queue_ticket' });
  if (view.expired) throw new HttpError('expired', { entity: 'queue_ticket' });
  return view.ticket;
}

async function openEncounterOf(c: Context<AppEnv>, ticket: Ticket) {
  const e = await encounterOfTicket(c.get('deps').db, ticket.id, { openOnly: false });
  if (!e) throw new ClinicError('invalid_state', 'no consultation is open for this ticket yet', { entity: 'encounter', from: 'none', action: 'consent' });
  return e;
}

const consentView = (e: { mode: EncounterMode; status: string }, c: Awaited<ReturnType<typeof activeConsent>>): TicketConsentAnswer => ({
  encounterMode: e.mode,
  encounterOpen: e.status === 'open',
  consent: c ? { method: c.method, givenAt: c.givenAt, recordedByName: c.recordedByName } : null,
});

/** What a patient's ticket link grants beyond its status: the consent prompt and their documents. */
export function registerTicketClinical(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['ticket'], {
      method: 'get',
      path: '/api/v1/tickets/{token}/consent',
      tags: ['ticket'],
      summary: 'The consent prompt: is a consultation open, in which mode, and is consent given?',
      request: { params: ticketTokenParam },
      responses: { ...jsonResponses('consultation mode and consent (null encounter when no consultation was opened)', ticketConsentAnswer), ...ticketResponses },
    }),
    async (c) => {
      const ticket = await ticketOfLink(c, c.req.valid('param').token);
      const e = await encounterOfTicket(c.get('deps').db, ticket.id, { openOnly: false });
      if (!e) return c.json({ encounterMode: null, encounterOpen: false, consent: null }, 200);
      return c.json(consentView(e, await activeConsent(c.get('deps').db, e.id)), 200);
    },
  );

  app.openapi(
    apiRoute(['ticket'], {
      method: 'post',
      path: '/api/v1/tickets/{token}/consent',
      tags: ['ticket'],
      summary: 'The patient agrees, on their own phone, to the audio-visual consultation',
      request: { params: ticketTokenParam },
      responses: { ...jsonResponses('the consent', ticketConsentAnswer), ...ticketResponses, 409: errorContent('no open consultation for this ticket') },
    }),
    async (c) => {
      const ticket = await ticketOfLink(c, c.req.valid('param').token);
      const e = await openEncounterOf(c, ticket);
      const consent = await giveConsent(c.get('deps').db, e.id, { kind: 'patient' });
      return c.json(consentView(e, consent), 200);
    },
  );

  app.openapi(
    apiRoute(['ticket'], {
      method: 'post',
      path: '/api/v1/tickets/{token}/consent/withdraw',
      tags: ['ticket'],
      summary: 'The patient withdraws consent (audio and video stop)',
      request: { params: ticketTokenParam },
      responses: { ...jsonResponses('consent state after withdrawal', ticketConsentAnswer), ...ticketResponses, 409: errorContent('no active consent') },
    }),
    async (c) => {
      // Withdrawal works as long as a consent is active, also after the link expired (a call
      // that ran past the end of service): a patient must always be able to take consent back.
      const view = await c.get('deps').queue.view(c.req.valid('param').token);
      if (!view) throw new HttpError('not_found', { entity: 'queue_ticket' });
      if (view.expired) {
        const latest = await encounterOfTicket(c.get('deps').db, view.ticket.id, { openOnly: false });
        if (!latest || !(await activeConsent(c.get('deps').db, latest.id))) throw new HttpError('expired', { entity: 'queue_ticket' });
      }
      const e = await openEncounterOf(c, view.ticket);
      await withdrawConsent(c.get('deps').db, e.id, { kind: 'patient' });
      return c.json(consentView(e, null), 200);
    },
  );

  app.openapi(
    apiRoute(['ticket'], {
      method: 'get',
      path: '/api/v1/tickets/{token}/documents',
      tags: ['ticket'],
      summary: 'The patient’s prescriptions and referral copies from this ticket’s visit',
      description: 'Only documents of this ticket’s patient from this ticket’s encounter(s); referral drafts are not shown. Each referral has a printable copy at `letter`.',
      request: { params: ticketTokenParam },
      responses: { ...jsonResponses('prescriptions (medicine names, signa, status) and referrals', ticketDocumentsAnswer), ...ticketResponses },
    }),
    async (c) => {
      const token = c.req.valid('param').token;
      const ticket = await ticketOfLink(c, token);
      const db = c.get('deps').db;
      if (!ticket.patientId) return c.json({ prescriptions: [], referrals: [] }, 200);
      const [prescriptions, referrals] = await Promise.all([prescriptionsForTicket(db, ticket.id), referralsForTicket(db, ticket.id)]);
      return c.json({ prescriptions, referrals: referrals.map((r) => ({ ...r, letter: `/t/${token}/rujukan/${r.id}` })) }, 200);
    },
  );
}
