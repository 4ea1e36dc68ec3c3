import { z } from '@hono/zod-openapi';
import { dateTime, id, orNull } from './common.ts';
import { patientSummary } from './patients.ts';

/** Answers of the queue routes (routes/queue.ts): take a number, a ticket, the desk, the screen. */

const ticketStatus = z.enum(['waiting', 'called', 'serving', 'done', 'skipped', 'no_show']);

/** A ticket as staff see it (clinic/queue.ts `Ticket`). */
export const ticket = z
  .object({
    id,
    day: z.iso.date(),
    poli: z.string(),
    number: z.number().int(),
    label: z.string().openapi({ example: 'A-001' }),
    patientId: id.nullable(),
    source: z.enum(['phone', 'desk']),
    status: ticketStatus,
    room: z.string().nullable(),
    callCount: z.number().int(),
    takenAt: dateTime,
    calledAt: dateTime.nullable(),
    servedAt: dateTime.nullable(),
    finishedAt: dateTime.nullable(),
    expiresAt: dateTime,
  })
  .openapi('Ticket');
export type TicketAnswer = z.infer<typeof ticket>;

/** What a patient's phone gets: their own ticket, no internal ids (routes/queue.ts `publicTicket`). */
export const publicTicket = z
  .object({
    label: z.string(),
    poli: z.string(),
    poliName: z.string(),
    status: ticketStatus,
    room: z.string().nullable(),
    callCount: z.number().int(),
    position: z.number().int().nullable().openapi({ description: 'place among those waiting; null once called' }),
    estimatedWaitMinutes: z.number().nullable(),
    takenAt: dateTime,
    calledAt: dateTime.nullable(),
    expiresAt: dateTime,
    expired: z.boolean(),
  })
  .openapi('PublicTicket');
export type PublicTicket = z.infer<typeof publicTicket>;

export const polisAnswer = z.object({
  facility: z.object({ code: z.string(), name: z.string() }),
  polis: z.array(z.object({ code: z.string(), name: z.string(), prefix: z.string(), rooms: z.array(z.string()) })),
});
export type PolisAnswer = z.infer<typeof polisAnswer>;

export const takeAnswer = z.object({
  token: z.string().openapi({ description: 'the ticket secret; keep it' }),
  link: z.string().openapi({ example: '/t/…' }),
  ticket: publicTicket,
});
export type TakeAnswer = z.infer<typeof takeAnswer>;

/** One call on the waiting-room screen (no ids, no patient). */
export const displayCall = z.object({ label: z.string(), poliName: z.string(), room: z.string().nullable(), calledAt: dateTime.nullable(), callCount: z.number().int() });
export type DisplayCall = z.infer<typeof displayCall>;
export const displayAnswer = z.object({ calls: z.array(displayCall) });
export type DisplayAnswer = z.infer<typeof displayAnswer>;

/** A poli's queue as the desk sees it: the public view plus the ticket id, who the patient is and source. */
export const queueListAnswer = z.object({
  tickets: z.array(publicTicket.extend({ id, patientId: id.nullable(), patient: patientSummary.nullable(), source: z.enum(['phone', 'desk']) })),
});
export type QueueListAnswer = z.infer<typeof queueListAnswer>;

export const deskAnswer = z.object({ id, token: z.string(), link: z.string(), label: z.string() });
export type DeskAnswer = z.infer<typeof deskAnswer>;

export const calledAnswer = z.object({ ticket: orNull(ticket).openapi({ description: 'null when nobody waits' }) });
export type CalledAnswer = z.infer<typeof calledAnswer>;

export const ticketActionAnswer = z.object({ ticket });
export type TicketActionAnswer = z.infer<typeof ticketActionAnswer>;
