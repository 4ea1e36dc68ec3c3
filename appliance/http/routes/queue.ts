import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { actorOf, register } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import {
  calledAnswer,
  deskAnswer,
  displayAnswer,
  type DisplayAnswer,
  type DisplayCall,
  polisAnswer,
  publicTicket as publicTicketSchema,
  queueListAnswer,
  takeAnswer,
  ticketActionAnswer,
  type PublicTicket,
} from '../schemas/queue.ts';
import { errorResponse } from '../errors.ts';
import { leaseFor } from '../live-lease.ts';
import { eventStream } from '../event-stream.ts';
import { uuidParam } from './patients.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import type { Queue, Ticket, TicketView } from '../../clinic/queue.ts';
import { text } from '../../clinic/text.ts';
import { patientSummaries } from '../../clinic/patient-summaries.ts';

const poliCode = text()
  .regex(/^[a-z][a-z0-9-]{1,19}$/)
  .openapi({ example: 'umum' });
const tokenParam = z.object({
  token: text()
    .regex(/^[A-Za-z0-9_-]{20,64}$/)
    .openapi({ param: { name: 'token', in: 'path' }, example: demoIds.ticketToken }),
});
const staffAtQueue = ['nurse', 'doctor', 'admin', 'midwife'] as const;

/** What a patient's phone gets: their ticket, never its internal ids or anyone else's. */
export function publicTicket(v: TicketView): PublicTicket {
  const t = v.ticket;
  return {
    label: t.label,
    poli: t.poli,
    poliName: v.poliName,
    status: t.status,
    room: t.room,
    callCount: t.callCount,
    position: v.position,
    estimatedWaitMinutes: v.estimatedWaitMinutes,
    takenAt: t.takenAt,
    calledAt: t.calledAt,
    expiresAt: t.expiresAt,
    expired: v.expired,
  };
}

/**
 * Server-sent events: an `update` with the subject on every queue change (a ticket link's stream
 * sends a `PublicTicket`, the waiting-room screen's a `DisplayAnswer`, see schemas/queue.ts;
 * keep-alive and a slow client's limit: event-stream.ts). Each stream holds a lease of the
 * live-connection caps. A
 * stream with `expiresAt` (a ticket link's) ends at that instant of the queue's clock, with an
 * `expired` event: EventSource then reconnects, gets 410 and the page says the link has expired.
 */
function liveStream(c: Context<AppEnv>, read: () => Promise<PublicTicket | DisplayAnswer>, expiresAt?: number) {
  // Hono answers HEAD by dropping the GET's body without cancelling it: a stream opened for a HEAD
  // would never end, and keep its slot and subscription for ever.
  if (c.req.method === 'HEAD') return c.body(null, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const lease = leaseFor(c);
  if (lease instanceof Response) return lease;
  const { queue } = c.get('deps');
  let expiry: NodeJS.Timeout | undefined;
  // Cleared before it is assigned only if the client is gone at once; `off` runs at most once.
  let off = () => {};
  const { response, stream } = eventStream(c, {
    retryMs: 3000,
    onEnd: () => {
      off();
      clearTimeout(expiry);
      lease.release();
    },
  });
  const expired = () => expiresAt !== undefined && queue.now().getTime() >= expiresAt;
  const expire = () => {
    stream.send('expired', '{}');
    stream.close();
  };
  let pending = Promise.resolve();
  const send = () => {
    pending = pending
      .then(async () => {
        if (stream.ended) return;
        if (expired()) return expire();
        const data = JSON.stringify(await read());
        if (expired()) return expire();
        stream.send('update', data);
      })
      .catch(() => stream.close());
  };
  off = queue.subscribe(send);
  if (expiresAt !== undefined) {
    // setTimeout takes at most 2^31-1 ms (24.8 days); a ticket link lasts one day.
    expiry = setTimeout(
      () => {
        pending = pending.then(expire);
      },
      Math.min(Math.max(0, expiresAt - queue.now().getTime()), 2 ** 31 - 1),
    );
    expiry.unref();
  }
  send();
  return response;
}

/** The waiting-room screen's payload, built once per queue change (and day) however many screens listen. */
const displayCache = new WeakMap<Queue, { day: string; payload: Promise<DisplayAnswer> | null }>();
function displayPayload(queue: Queue): Promise<DisplayAnswer> {
  let entry = displayCache.get(queue);
  if (!entry) {
    const e: { day: string; payload: Promise<DisplayAnswer> | null } = { day: '', payload: null };
    queue.subscribe(() => void (e.payload = null));
    displayCache.set(queue, (entry = e));
  }
  const e = entry;
  const day = queue.today();
  if (e.day !== day || !e.payload) {
    e.day = day;
    const payload = queue.recentCalls().then((calls) => ({ calls: calls.map(displayCall) }));
    payload.catch(() => {
      if (e.payload === payload) e.payload = null;
    });
    e.payload = payload;
  }
  return e.payload;
}

export function registerQueue(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['public'], {
      method: 'get',
      path: '/api/v1/polis',
      tags: ['queue'],
      summary: 'Polis of this puskesmas',
      responses: jsonResponses('polis', polisAnswer),
    }),
    (c) => {
      const s = c.get('deps').settings;
      return c.json({ facility: s.facility, polis: s.polis.map((p) => ({ code: p.code, name: p.name, prefix: p.prefix, rooms: p.rooms })) }, 200);
    },
  );

  app.openapi(
    apiRoute(['public'], {
      method: 'post',
      path: '/api/v1/queue/take',
      tags: ['queue'],
      summary: 'Take a number (patient phone, no account)',
      description: 'Answers with the ticket and its secret link. Keep the link: it is the only way back to the ticket.',
      request: jsonBody(
        z
          .object({ poli: poliCode })
          .strict()
          .openapi({ example: { poli: 'umum' } }),
      ),
      responses: {
        ...jsonResponses('the new ticket and its link', takeAnswer),
        422: errorContent('unknown poli'),
        410: errorContent('the day’s service has ended'),
        429: errorContent('this device has taken its numbers for the day (phoneTicketsPerAddress)'),
        503: errorContent('numbers by phone are used up for the day (phoneTicketsPerDay)'),
      },
    }),
    async (c) => {
      const { queue, phoneTickets } = c.get('deps');
      const counted = phoneTickets.count(queue.today(), c.env?.remoteAddress);
      if (counted === 'per_address') return errorResponse(c, 'too_many_tickets', { limit: phoneTickets.limits.perAddress });
      if (counted === 'per_day') return errorResponse(c, 'tickets_full', { limit: phoneTickets.limits.perDay });
      try {
        const { token, view } = await queue.take({ poli: c.req.valid('json').poli, source: 'phone' });
        return c.json({ token, link: `/t/${token}`, ticket: publicTicket(view) }, 200);
      } catch (e) {
        counted.giveBack();
        throw e;
      }
    },
  );

  app.openapi(
    apiRoute(['ticket'], {
      method: 'get',
      path: '/api/v1/tickets/{token}',
      tags: ['ticket'],
      summary: 'A patient’s own ticket: position, estimated wait, call',
      request: { params: tokenParam },
      responses: { ...jsonResponses('the ticket', publicTicketSchema), 404: errorContent('no such ticket'), 410: errorContent('ticket link expired') },
    }),
    async (c) => {
      const view = await c.get('deps').queue.view(c.req.valid('param').token);
      if (!view) return errorResponse(c, 'not_found');
      if (view.expired) return errorResponse(c, 'expired');
      return c.json(publicTicket(view), 200);
    },
  );

  register({ method: 'GET', path: '/api/v1/tickets/:token/events', access: ['ticket'], kind: 'api' });
  app.get('/api/v1/tickets/:token/events', async (c) => {
    const { queue } = c.get('deps');
    const token = c.req.param('token');
    const first = await queue.view(token);
    if (!first) return errorResponse(c, 'not_found');
    if (first.expired) return errorResponse(c, 'expired');
    // A transfer moves the ticket to another poli, so listen to all and re-read.
    return liveStream(c, async () => publicTicket((await queue.view(token))!), Date.parse(first.ticket.expiresAt));
  });

  app.openapi(
    apiRoute(['public'], {
      method: 'get',
      path: '/api/v1/queue/display',
      tags: ['queue'],
      summary: 'Latest calls, for the waiting-room screen',
      responses: jsonResponses('calls', displayAnswer),
    }),
    async (c) => c.json({ calls: (await c.get('deps').queue.recentCalls()).map(displayCall) }, 200),
  );

  register({ method: 'GET', path: '/api/v1/queue/display/events', access: ['public'], kind: 'api' });
  app.get('/api/v1/queue/display/events', (c) => {
    const { queue } = c.get('deps');
    return liveStream(c, () => displayPayload(queue));
  });

  app.openapi(
    apiRoute([...staffAtQueue], {
      method: 'get',
      path: '/api/v1/queue/{poli}',
      tags: ['queue'],
      summary: 'Today’s queue of a poli',
      request: { params: z.object({ poli: poliCode.openapi({ param: { name: 'poli', in: 'path' } }) }) },
      responses: { ...jsonResponses('tickets in number order', queueListAnswer), 422: errorContent('unknown poli') },
    }),
    async (c) => {
      const { queue, db } = c.get('deps');
      const list = await queue.list(c.req.valid('param').poli);
      // Staff see people, not numbers: who each attached ticket is, for whoever opens the list.
      const who = await patientSummaries(
        db,
        actorOf(c),
        list.flatMap((v) => (v.ticket.patientId ? [v.ticket.patientId] : [])),
        queue.today(),
      );
      return c.json(
        {
          tickets: list.map((v) => ({
            id: v.ticket.id,
            patientId: v.ticket.patientId,
            patient: (v.ticket.patientId && who.get(v.ticket.patientId)) || null,
            source: v.ticket.source,
            ...publicTicket(v),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    apiRoute(['nurse', 'admin', 'midwife'], {
      method: 'post',
      path: '/api/v1/queue/desk',
      tags: ['queue'],
      summary: 'Register a walk-in at the desk',
      request: jsonBody(
        z
          .object({ poli: poliCode, patientId: text().uuid().optional() })
          .strict()
          .openapi({ example: { poli: 'umum', patientId: demoIds.patient } }),
      ),
      responses: { ...jsonResponses('the ticket and its link (print or show the QR)', deskAnswer), 422: errorContent('unknown poli') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { ticket, token } = await c.get('deps').queue.take({ poli: body.poli, source: 'desk', patientId: body.patientId }, actorOf(c));
      return c.json({ id: ticket.id, token, link: `/t/${token}`, label: ticket.label }, 200);
    },
  );

  app.openapi(
    apiRoute(['nurse', 'doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/queue/{poli}/call-next',
      tags: ['queue'],
      summary: 'Call the next waiting number to a room',
      request: {
        params: z.object({ poli: poliCode.openapi({ param: { name: 'poli', in: 'path' } }) }),
        ...jsonBody(
          z
            .object({ room: text().min(1).max(40) })
            .strict()
            .openapi({ example: { room: 'Ruang 1' } }),
        ),
      },
      responses: { ...jsonResponses('the called ticket, or null when nobody waits', calledAnswer), 422: errorContent('unknown poli or room') },
    }),
    async (c) => {
      const t = await c.get('deps').queue.callNext(c.req.valid('param').poli, c.req.valid('json').room, actorOf(c));
      return c.json({ ticket: t }, 200);
    },
  );

  const action = (
    path: string,
    summary: string,
    run: (q: Queue, id: string, body: Record<string, string>, c: Context<AppEnv>) => Promise<Ticket>,
    body?: z.ZodObject,
    example?: object,
    exampleTicket: string = demoIds.ticket,
  ) =>
    app.openapi(
      apiRoute(['nurse', 'doctor', 'midwife'], {
        method: 'post',
        path: `/api/v1/queue/tickets/{id}/${path}`,
        tags: ['queue'],
        summary,
        request: { params: uuidParam('id', exampleTicket), ...(body ? jsonBody(body.strict().openapi({ example })) : {}) },
        responses: {
          ...jsonResponses('the ticket', ticketActionAnswer),
          404: errorContent('no such ticket (or, to attach, no such patient)'),
          409: errorContent('not possible in the ticket’s state'),
          422: errorContent('to call: a room the poli does not have; to transfer: an unknown poli or the one it is in'),
        },
      }),
      async (c) => {
        const b = (body ? await c.req.json() : {}) as Record<string, string>;
        return c.json({ ticket: await run(c.get('deps').queue, c.req.valid('param').id, b, c) }, 200);
      },
    );

  action('call', 'Call this ticket to a room (also a skipped one that turned up)', (q, id, b, c) => q.call(id, b.room, actorOf(c)), z.object({ room: text().min(1).max(40) }), {
    room: 'Ruang 1',
  });
  action('recall', 'Call again', (q, id, _b, c) => q.recall(id, actorOf(c)));
  action('skip', 'Skip (patient not here yet; can be called later)', (q, id, _b, c) => q.skip(id, actorOf(c)), undefined, undefined, demoIds.queueExamples.skip);
  action('no-show', 'Mark as no-show', (q, id, _b, c) => q.noShow(id, actorOf(c)), undefined, undefined, demoIds.queueExamples.noShow);
  action('finish', 'Mark as done', (q, id, _b, c) => q.finish(id, actorOf(c)), undefined, undefined, demoIds.queueExamples.finish);
  action(
    'transfer',
    'Transfer to another poli (end of its queue)',
    (q, id, b, c) => q.transfer(id, b.poli, actorOf(c)),
    z.object({ poli: poliCode }),
    { poli: 'gigi' },
    demoIds.queueExamples.transfer,
  );
  action('attach', 'Link a registered patient to the ticket', (q, id, b, c) => q.attachPatient(id, b.patientId, actorOf(c)), z.object({ patientId: text().uuid() }), {
    patientId: demoIds.patient,
  });
}

function displayCall(t: { label: string; poliName: string; room: string | null; calledAt: string | null; callCount: number }): DisplayCall {
  return { label: t.label, poliName: t.poliName, room: t.room, calledAt: t.calledAt, callCount: t.callCount };
}
