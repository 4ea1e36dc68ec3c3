/**
 * Queue tickets as stored and shown: the ticket, the patient's view of it, the secret token of a
 * ticket link (only its hash is stored), and the row mapping.
 */
import { hash, randomFillSync } from 'node:crypto';

export type TicketStatus = 'waiting' | 'called' | 'serving' | 'done' | 'skipped' | 'no_show';

export interface Ticket {
  id: string;
  day: string;
  poli: string;
  number: number;
  label: string;
  patientId: string | null;
  source: 'phone' | 'desk';
  status: TicketStatus;
  room: string | null;
  callCount: number;
  takenAt: string;
  calledAt: string | null;
  servedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
}

/** What a patient's ticket link shows: their own ticket and nothing of anyone else's. */
export interface TicketView {
  ticket: Ticket;
  poliName: string;
  position: number | null;
  estimatedWaitMinutes: number | null;
  expired: boolean;
}

export type QueueEvent = { kind: 'changed'; day: string; poli: string; ticketId: string; action: string };

// The one-shot crypto.hash skips building a Hash object: every ticket-status request hashes its token.
export const hashToken = (token: string) => hash('sha256', token, 'base64url');

// Ticket secrets (24 random bytes each) are cut from a pool filled 256 at a time: randomBytes(24)
// per ticket goes into OpenSSL every time, ~20 µs, 3% of take-a-number's CPU under load
// (--cpu-prof). Every pooled byte is used once, as Node's own randomUUID() pool does.
const TOKEN_BYTES = 24;
const tokenPool = Buffer.alloc(TOKEN_BYTES * 256);
let tokenPoolUsed = tokenPool.length;
export function newTicketToken(): string {
  if (tokenPoolUsed === tokenPool.length) {
    randomFillSync(tokenPool);
    tokenPoolUsed = 0;
  }
  const token = tokenPool.toString('base64url', tokenPoolUsed, tokenPoolUsed + TOKEN_BYTES);
  tokenPoolUsed += TOKEN_BYTES;
  return token;
}

export const columns = `id, to_char(day, 'YYYY-MM-DD') AS day, poli, number, label, patient_id AS "patientId", source, status, room,
  call_count AS "callCount", taken_at AS "takenAt", called_at AS "calledAt", served_at AS "servedAt",
  finished_at AS "finishedAt", expires_at AS "expiresAt", token_hash AS "tokenHash"`;

export type TicketRow = Ticket & { tokenHash: string };

export function toTicket(r: TicketRow): Ticket {
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return {
    id: r.id,
    day: r.day,
    poli: r.poli,
    number: r.number,
    label: r.label,
    patientId: r.patientId,
    source: r.source,
    status: r.status,
    room: r.room,
    callCount: r.callCount,
    takenAt: iso(r.takenAt)!,
    calledAt: iso(r.calledAt),
    servedAt: iso(r.servedAt),
    finishedAt: iso(r.finishedAt),
    expiresAt: iso(r.expiresAt)!,
  };
}

/** A ticket about to be stored: everything but its number, which the database's counter gives. */
export interface NewTicket {
  id: string;
  tokenHash: string;
  day: string;
  poli: string;
  prefix: string;
  source: 'phone' | 'desk';
  expiresAt: string;
  takenAt: string;
}
