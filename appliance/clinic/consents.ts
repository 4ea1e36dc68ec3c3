import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db.ts';
import { ClinicError, invalidState, notFound } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { appendOutbox } from './outbox.ts';
import { requireOpenEncounter, type EncounterMode } from './encounters.ts';

/**
 * Consent to an audio-visual consultation: a record of its own (who, when, how), withdrawable.
 * At most one consent of an encounter is active (not withdrawn); giving again answers it.
 * The relay refuses media unless `hasActiveConsent`.
 */
export interface Consent {
  id: string;
  encounterId: string;
  patientId: string;
  method: 'patient_tap' | 'verbal';
  recordedBy: string | null;
  recordedByName: string | null;
  givenAt: string;
  withdrawnAt: string | null;
  /** 'patient' (through the ticket link) or 'staff:<staff id>'. */
  withdrawnBy: string | null;
  version: number;
}

/** Who gives or withdraws: the patient through their own ticket link, or a named staff member. */
export type ConsentParty = { kind: 'patient' } | { kind: 'staff'; actor: Actor };

const select = `SELECT c.id, c.encounter_id AS "encounterId", c.patient_id AS "patientId", c.method, c.recorded_by AS "recordedBy",
  s.full_name AS "recordedByName", c.given_at AS "givenAt", c.withdrawn_at AS "withdrawnAt", c.withdrawn_by AS "withdrawnBy", c.version
  FROM consents c LEFT JOIN staff s ON s.id = c.recorded_by`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const toConsent = (r: Consent): Consent => ({ ...r, givenAt: iso(r.givenAt)!, withdrawnAt: iso(r.withdrawnAt) });

function payload(c: Consent) {
  return {
    id: c.id,
    encounterId: c.encounterId,
    patientId: c.patientId,
    method: c.method,
    recordedBy: c.recordedBy,
    givenAt: c.givenAt,
    withdrawnAt: c.withdrawnAt,
    withdrawnBy: c.withdrawnBy,
    version: c.version,
  };
}

async function loadConsent(db: Queryable, id: string): Promise<Consent> {
  const { rows } = await db.query<Consent>(`${select} WHERE c.id = $1`, [id]);
  if (!rows[0]) throw notFound('consent', id);
  return toConsent(rows[0]);
}

/** Told after a consent is given or withdrawn (committed): the relay stops media at once on withdrawal. */
export type ConsentListener = (encounterId: string, active: boolean) => void;
const consentListeners = new Set<ConsentListener>();
export function onConsentChange(listener: ConsentListener): () => void {
  consentListeners.add(listener);
  return () => void consentListeners.delete(listener);
}
function consentChanged(encounterId: string, active: boolean) {
  for (const l of consentListeners) {
    try {
      l(encounterId, active);
    } catch {
      /* a listener's failure is its own */
    }
  }
}

/** The encounter's active consent, or null. */
export async function activeConsent(db: Queryable, encounterId: string): Promise<Consent | null> {
  const { rows } = await db.query<Consent>(`${select} WHERE c.encounter_id = $1 AND c.withdrawn_at IS NULL ORDER BY c.given_at DESC LIMIT 1`, [encounterId]);
  return rows[0] ? toConsent(rows[0]) : null;
}

/** For the relay: may audio and video flow for this encounter? */
export async function hasActiveConsent(db: Queryable, encounterId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM consents WHERE encounter_id = $1 AND withdrawn_at IS NULL LIMIT 1`, [encounterId]);
  return rows.length > 0;
}

/** Every consent record of an encounter, newest first (given and withdrawn). */
export async function listConsents(db: Queryable, encounterId: string): Promise<Consent[]> {
  const { rows } = await db.query<Consent>(`${select} WHERE c.encounter_id = $1 ORDER BY c.given_at DESC`, [encounterId]);
  return rows.map(toConsent);
}

/**
 * Records consent for an open encounter: tapped by the patient on their own phone, or confirmed
 * verbally and recorded by the named staff member.
 */
export async function giveConsent(db: Db, encounterId: string, party: ConsentParty): Promise<Consent> {
  const given = await db.transaction(async (tx) => {
    const e = await requireOpenEncounter(tx, encounterId, 'record consent');
    const current = await activeConsent(tx, encounterId);
    if (current) return current;
    const id = randomUUID();
    const method = party.kind === 'patient' ? 'patient_tap' : 'verbal';
    await tx.query(`INSERT INTO consents (id, encounter_id, patient_id, method, recorded_by) VALUES ($1,$2,$3,$4,$5)`, [
      id,
      encounterId,
      e.patientId,
      method,
      party.kind === 'staff' ? party.actor.staffId : null,
    ]);
    const c = await loadConsent(tx, id);
    await appendOutbox(tx, { type: 'consent', entityId: id, entityVersion: c.version, payload: payload(c) });
    if (party.kind === 'staff') await audit(tx, party.actor, 'create', 'consent', id, e.patientId);
    return c;
  });
  consentChanged(encounterId, true);
  return given;
}

/** Withdraws the encounter's active consent (the patient may always withdraw, even after the visit). */
export async function withdrawConsent(db: Db, encounterId: string, party: ConsentParty): Promise<Consent> {
  const withdrawn = await db.transaction(async (tx) => {
    const current = await activeConsent(tx, encounterId);
    if (!current) {
      const exists = await tx.query(`SELECT 1 FROM encounters WHERE id = $1`, [encounterId]);
      if (!exists.rows.length) throw notFound('encounter', encounterId);
      throw new ClinicError('invalid_state', 'there is no active consent to withdraw', { entity: 'consent', from: 'none', action: 'withdraw' });
    }
    const by = party.kind === 'patient' ? 'patient' : `staff:${party.actor.staffId}`;
    const { rows } = await tx.query(`UPDATE consents SET withdrawn_at = now(), withdrawn_by = $2, version = version + 1 WHERE id = $1 AND withdrawn_at IS NULL RETURNING id`, [
      current.id,
      by,
    ]);
    if (!rows.length) throw invalidState('consent', 'withdrawn', 'withdraw');
    const c = await loadConsent(tx, current.id);
    await appendOutbox(tx, { type: 'consent', entityId: c.id, entityVersion: c.version, payload: payload(c) });
    if (party.kind === 'staff') await audit(tx, party.actor, 'update', 'consent', c.id, c.patientId);
    return c;
  });
  consentChanged(encounterId, false);
  return withdrawn;
}

/** The encounter a ticket link speaks for: the ticket's open encounter (or its latest one). */
export async function encounterOfTicket(
  db: Queryable,
  ticketId: string,
  opts: { openOnly: boolean },
): Promise<{ id: string; mode: EncounterMode; status: 'open' | 'closed' } | null> {
  const { rows } = await db.query<{ id: string; mode: EncounterMode; status: 'open' | 'closed' }>(
    `SELECT e.id, e.mode, e.status FROM encounters e JOIN queue_tickets t ON t.id = e.ticket_id AND t.patient_id = e.patient_id
      WHERE e.ticket_id = $1 ${opts.openOnly ? `AND e.status = 'open'` : ''} ORDER BY (e.status = 'open') DESC, e.opened_at DESC LIMIT 1`,
    [ticketId],
  );
  return rows[0] ?? null;
}
