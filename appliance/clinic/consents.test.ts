import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupCommitDb } from '../storage/group-commit.ts';
import { clinicError, clinicFixture, testSettings } from './testing.ts';
import { demoIds } from './demo-ids.ts';
import type { Queue } from './queue.ts';
import type { Actor } from './audit.ts';
import { closeEncounter, openEncounter, updateEncounter } from './encounters.ts';
import { activeConsent, encounterOfTicket, giveConsent, hasActiveConsent, withdrawConsent } from './consents.ts';

const settings = testSettings();

const code = async (p: Promise<unknown>) => (await clinicError(p)).code;

describe('consent to an audio-visual consultation', () => {
  let db: GroupCommitDb;
  let queue: Queue;
  let doctor: Actor;
  let nurse: Actor;
  beforeAll(async () => {
    const fixture = await clinicFixture(settings);
    ({ db, queue, doctor, nurse } = fixture);
  });
  afterAll(() => db.close());

  async function avVisit() {
    const { ticket } = await queue.take({ poli: 'umum', source: 'desk', patientId: demoIds.patient }, nurse);
    return { ticket, encounter: await openEncounter(db, queue, doctor, { ticketId: ticket.id, mode: 'audio_visual' }) };
  }

  it('the patient taps consent; it is active once, recorded in the outbox; withdrawing ends it', async () => {
    const { ticket, encounter } = await avVisit();
    expect(await hasActiveConsent(db, encounter.id)).toBe(false);
    expect((await encounterOfTicket(db, ticket.id, { openOnly: true }))?.id).toBe(encounter.id);
    const c = await giveConsent(db, encounter.id, { kind: 'patient' });
    expect(c).toMatchObject({ method: 'patient_tap', recordedBy: null, withdrawnAt: null, patientId: demoIds.patient, version: 1 });
    expect((await giveConsent(db, encounter.id, { kind: 'patient' })).id).toBe(c.id); // a double tap records nothing new
    expect(await hasActiveConsent(db, encounter.id)).toBe(true);
    const w = await withdrawConsent(db, encounter.id, { kind: 'patient' });
    expect(w).toMatchObject({ id: c.id, withdrawnBy: 'patient', version: 2 });
    expect(w.withdrawnAt).not.toBeNull();
    expect(await hasActiveConsent(db, encounter.id)).toBe(false);
    expect(await code(withdrawConsent(db, encounter.id, { kind: 'patient' }))).toBe('invalid_state');
    const { rows } = await db.query<{ type: string; entity_version: number; payload: { withdrawnBy: string | null } }>(
      `SELECT type, entity_version, payload FROM outbox WHERE entity_id = $1 ORDER BY seq`, [c.id],
    );
    expect(rows.map((r) => [r.type, r.entity_version, r.payload.withdrawnBy])).toEqual([['consent', 1, null], ['consent', 2, 'patient']]);
  });

  it('verbal consent names the staff member who recorded it (audited); staff can record a withdrawal', async () => {
    const { encounter } = await avVisit();
    const c = await giveConsent(db, encounter.id, { kind: 'staff', actor: nurse });
    expect(c).toMatchObject({ method: 'verbal', recordedBy: nurse.staffId });
    const audit = await db.query(`SELECT 1 FROM audit_log WHERE entity = 'consent' AND entity_id = $1 AND staff_id = $2`, [c.id, nurse.staffId]);
    expect(audit.rows).toHaveLength(1);
    const w = await withdrawConsent(db, encounter.id, { kind: 'staff', actor: doctor });
    expect(w.withdrawnBy).toBe(`staff:${doctor.staffId}`);
    // Consent may be given again after a withdrawal: a new record.
    const again = await giveConsent(db, encounter.id, { kind: 'patient' });
    expect(again.id).not.toBe(c.id);
    expect((await activeConsent(db, encounter.id))?.id).toBe(again.id);
  });

  it('is refused once the encounter is closed, but a withdrawal still counts', async () => {
    const { encounter } = await avVisit();
    await giveConsent(db, encounter.id, { kind: 'patient' });
    await updateEncounter(db, doctor, encounter.id, { diagnoses: [{ code: 'J06.9', kind: 'primary' }] });
    await closeEncounter(db, queue, doctor, encounter.id);
    await withdrawConsent(db, encounter.id, { kind: 'patient' });
    expect(await code(giveConsent(db, encounter.id, { kind: 'patient' }))).toBe('invalid_state');
    expect(await code(giveConsent(db, '00000000-0000-4000-8000-000000000000', { kind: 'patient' }))).toBe('not_found');
  });
});
