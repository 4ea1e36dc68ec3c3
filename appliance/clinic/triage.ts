/**
 * Triage: the nurse takes the patient's vitals while they wait, on their queue ticket, before the
 * doctor opens the visit. Opening the visit copies them in as its first vitals (encounters.ts);
 * once the visit is open, vitals recorded on the ticket go to the visit itself.
 */
import type { Db, Queryable } from './db.ts';
import type { Queue } from './queue.ts';
import { audit, type Actor } from './audit.ts';
import { invalidState } from './errors.ts';
import { mergeVitals, parseInput, updateEncounter, vitalsUpdateInput, type VitalSigns } from './encounters.ts';

export interface TriageVitals {
  ticketId: string;
  vitals: VitalSigns;
  recordedAt: string | null;
  recordedBy: string | null;
  /** The visit opened from the ticket, if any: its vitals are the ones that count then. */
  encounterId: string | null;
}

async function read(db: Queryable, ticketId: string): Promise<TriageVitals> {
  const t = await db.query<{ vitals: VitalSigns; recorded_at: string; recorded_by: string | null }>(
    `SELECT t.vitals, t.recorded_at, s.full_name AS recorded_by FROM ticket_triage t LEFT JOIN staff s ON s.id = t.recorded_by WHERE t.ticket_id = $1`,
    [ticketId],
  );
  const e = await db.query<{ id: string }>(`SELECT id FROM encounters WHERE ticket_id = $1 ORDER BY opened_at DESC LIMIT 1`, [ticketId]);
  const r = t.rows[0];
  return {
    ticketId,
    vitals: r?.vitals ?? {},
    recordedAt: r ? new Date(r.recorded_at).toISOString() : null,
    recordedBy: r?.recorded_by ?? null,
    encounterId: e.rows[0]?.id ?? null,
  };
}

export async function getTriage(db: Queryable, queue: Queue, actor: Actor, ticketId: string): Promise<TriageVitals> {
  const ticket = await queue.get(ticketId);
  const out = await read(db, ticketId);
  if (ticket.patientId) await audit(db, actor, 'read', 'triage', ticketId, ticket.patientId);
  return out;
}

export async function recordTriage(db: Db, queue: Queue, actor: Actor, ticketId: string, input: unknown): Promise<TriageVitals> {
  const { vitals } = parseInput(vitalsUpdateInput, input);
  const ticket = await queue.get(ticketId);
  if (!['waiting', 'called', 'serving', 'skipped'].includes(ticket.status)) throw invalidState('queue_ticket', ticket.status, 'record vitals');
  const open = await db.query<{ id: string }>(`SELECT id FROM encounters WHERE ticket_id = $1 AND status = 'open'`, [ticketId]);
  if (open.rows[0]) {
    await updateEncounter(db, actor, open.rows[0].id, { vitals });
    return read(db, ticketId);
  }
  return db.transaction(async (tx) => {
    const cur = await tx.query<{ vitals: VitalSigns }>(`SELECT vitals FROM ticket_triage WHERE ticket_id = $1 FOR UPDATE`, [ticketId]);
    const merged = mergeVitals(cur.rows[0]?.vitals ?? {}, vitals);
    await tx.query(
      `INSERT INTO ticket_triage (ticket_id, vitals, recorded_by, recorded_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (ticket_id) DO UPDATE SET vitals = excluded.vitals, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
      [ticketId, JSON.stringify(merged), actor.staffId],
    );
    await audit(tx, actor, cur.rows[0] ? 'update' : 'create', 'triage', ticketId, ticket.patientId);
    return read(tx, ticketId);
  });
}
