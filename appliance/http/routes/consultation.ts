import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { allow, register } from '../access.ts';
import { apiRoute, errorContent, jsonResponses } from '../openapi.ts';
import { callsAnswer } from '../schemas/consultation.ts';
import { HttpError } from '../errors.ts';
import { ticketOfLink } from './ticket-clinical.ts';
import { encounterOfTicket } from '../../clinic/consents.ts';
import { findEncounter } from '../../clinic/encounters.ts';
import { ClinicError } from '../../clinic/errors.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { audit } from '../../clinic/audit.ts';
import type { MediaRelay, RelaySession } from '../../relay/relay.ts';
import { parseClientMessage, type Party } from '../../relay/protocol.ts';
import { upgradeWebSocket } from '../../relay/node-websocket.ts';
import { callQualityOf } from '../../relay/store.ts';
import { registerConsultationPage } from '../pages/consultation.tsx';
import { text } from '../../clinic/text.ts';
import { leaseFor } from '../live-lease.ts';
import type { LiveLease } from '../live-connections.ts';

/**
 * Consultation signaling: one WebSocket per participant, to the box only.
 * - doctor: `/api/v1/consultations/{encounterId}/socket` with the staff session cookie
 * - patient: `/api/v1/tickets/{token}/consultation/socket` (the ticket link is the grant)
 * The relay decides about media (consent gate); the socket also carries the text chat.
 */

const staffSocketPath = '/api/v1/consultations/:encounterId/socket';
const ticketSocketPath = '/api/v1/tickets/:token/consultation/socket';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tokenShape = /^[A-Za-z0-9_-]{20,64}$/;

/**
 * Browsers send Origin on WebSocket upgrades and never enforce same-origin there: the box does,
 * on the whole origin (scheme, host and port): http://box:8080 or another port is another site.
 */
function sameOrigin(c: Context<AppEnv>) {
  const origin = c.req.header('origin');
  if (!origin) return true; // not a browser (no cookie-riding possible without one)
  try {
    return new URL(origin).origin === new URL(c.req.url).origin;
  } catch {
    return false;
  }
}

function upgradeRequired(c: Context<AppEnv>) {
  return c.json({ error: { code: 'upgrade_required', message: 'this address is a WebSocket (consultation signaling)', details: {} } }, 426);
}

/** Close code for a patient's socket at the end of its ticket link (4000–4999: the application's own). */
export const linkExpiredClose = 4410;

/**
 * One participant's signaling socket. It holds a live-connection lease until it closes. A
 * patient's socket ends when their ticket link expires (`expiresAt`, by the queue's clock): the
 * consultation ends for them with the link, as their page already shows, and media and chat stop.
 */
function socketFor(c: Context<AppEnv>, relay: MediaRelay, encounterId: string, role: Party, lease: LiveLease, expiresAt?: number) {
  const log = c.get('log');
  const { queue } = c.get('deps');
  let session: RelaySession | null = null;
  let expiry: NodeJS.Timeout | undefined;
  const expired = () => expiresAt !== undefined && queue.now().getTime() >= expiresAt;
  const end = (ws: { close(code?: number, reason?: string): void }) => {
    session?.close();
    session = null;
    ws.close(linkExpiredClose, 'ticket link expired');
  };
  return upgradeWebSocket(c, {
    onOpen(_evt, ws) {
      if (expired()) return end(ws);
      try {
        session = relay.connect(encounterId, role, (msg) => ws.send(JSON.stringify(msg)));
        log.info({ encounterId, role }, 'consultation socket open');
      } catch {
        ws.close(1013, 'relay unavailable');
      }
      if (expiresAt !== undefined) {
        expiry = setTimeout(() => end(ws), Math.min(Math.max(0, expiresAt - queue.now().getTime()), 2 ** 31 - 1));
        expiry.unref();
      }
    },
    onMessage(evt, ws) {
      if (expired()) return end(ws);
      const msg = parseClientMessage(typeof evt.data === 'string' ? evt.data : null);
      if (!msg) {
        ws.send(JSON.stringify({ type: 'error', code: 'bad_message', message: 'not a consultation message' }));
        return;
      }
      session?.handle(msg).catch((err) => log.warn({ err, encounterId, role }, 'consultation message failed'));
    },
    onClose() {
      clearTimeout(expiry);
      lease.release();
      if (!session) return;
      session.close();
      session = null;
      log.info({ encounterId, role }, 'consultation socket closed');
    },
  });
}

export function registerConsultation(app: OpenAPIHono<AppEnv>, relay: MediaRelay) {
  register({ method: 'GET', path: staffSocketPath, access: ['doctor'], kind: 'api' });
  app.get(staffSocketPath, allow('doctor'), async (c) => {
    const encounterId = c.req.param('encounterId') ?? '';
    if (!uuid.test(encounterId)) throw new HttpError('not_found', { entity: 'encounter' });
    const e = await findEncounter(c.get('deps').db, encounterId);
    if (e.status !== 'open') throw new ClinicError('invalid_state', 'the encounter is closed', { entity: 'encounter', from: e.status, action: 'consult' });
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return upgradeRequired(c);
    if (!sameOrigin(c)) throw new HttpError('forbidden', { reason: 'cross-origin socket' });
    const lease = leaseFor(c);
    if (lease instanceof Response) return lease;
    const session = c.get('session')!;
    try {
      await audit(c.get('deps').db, session.actor, 'read', 'encounter', encounterId, e.patientId);
    } catch (err) {
      lease.release();
      throw err;
    }
    return socketFor(c, relay, encounterId, 'doctor', lease);
  });

  register({ method: 'GET', path: ticketSocketPath, access: ['ticket'], kind: 'api' });
  app.get(ticketSocketPath, async (c) => {
    const token = c.req.param('token') ?? '';
    if (!tokenShape.test(token)) throw new HttpError('not_found', { entity: 'queue_ticket' });
    const ticket = await ticketOfLink(c, token);
    const e = await encounterOfTicket(c.get('deps').db, ticket.id, { openOnly: true });
    if (!e) throw new ClinicError('invalid_state', 'no consultation is open for this ticket', { entity: 'encounter', from: 'none', action: 'consult' });
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return upgradeRequired(c);
    if (!sameOrigin(c)) throw new HttpError('forbidden', { reason: 'cross-origin socket' });
    const lease = leaseFor(c);
    if (lease instanceof Response) return lease;
    return socketFor(c, relay, e.id, 'patient', lease, Date.parse(ticket.expiresAt));
  });

  app.openapi(
    apiRoute(['doctor'], {
      method: 'get',
      path: '/api/v1/encounters/{id}/calls',
      tags: ['consultation'],
      summary: 'Quality of the encounter’s video/audio calls through the box (figures only, never media)',
      request: {
        params: z.object({
          id: text()
            .uuid()
            .openapi({ param: { name: 'id', in: 'path' }, example: demoIds.encounter }),
        }),
      },
      responses: {
        ...jsonResponses('one record per call: bitrate, loss, jitter, round trip, frames, keyframe requests, events', callsAnswer),
        404: errorContent('no such encounter'),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await findEncounter(c.get('deps').db, id);
      return c.json({ calls: await callQualityOf(c.get('deps').db, id) }, 200);
    },
  );

  registerConsultationPage(app);
}
