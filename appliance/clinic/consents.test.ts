import { describe, expect, it } from 'vitest';
import { clinicError, useClinic, testSettings } from './testing.ts';
import { demoIds } from './demo-ids.ts';
import { closeEncounter, openEncounter, updateEncounter } from './encounters.ts';
import { activeConsent, encounterOfTicket, giveConsent, hasActiveConsent, withdrawConsent } from './consents.ts';

const settings = testSettings();

const code = async (p: Promise<unknown>) => (await clinicError(p)).code;

describe('consent to an audio-visual consultation', () => {
  const clinic = useClinic(settings);

  async function avVisit() {
    const { ticket } = await clinic.queue.take({ poli: 'umum', source: 'desk', patientId: demoIds.patient }, clinic.nurse);
    return { ticket, encounter: await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: ticket.id, mode: 'audio_visual' }) };
  }

  it('the patient taps consent; it is active once, recorded in the outbox; withdrawing ends it', async () => {
    const { ticket, encounter } = await avVisit();
    expect(await hasActiveConsent(clinic.db, encounter.id)).toBe(false);
    expect((await encounterOfTicket(clinic.db, ticket.id, { openOnly: true }))?.id).toBe(encounter.id);
    const c = await giveConsent(clinic.db, encounter.id, { kind: 'patient' });
    expect(c).toMatchObject({ method: 'patient_tap', recordedBy: null, withdrawnAt: null, patientId: demoIds.patient, version: 1 });
    expect((await giveConsent(clinic.db, encounter.id, { kind: 'patient' })).id).toBe(c.id); // a double tap records nothing new
    expect(await hasActiveConsent(clinic.db, encounter.id)).toBe(true);
    const w = await withdrawConsent(clinic.db, encounter.id, { kind: 'patient' });
    expect(w).toMatchObject({ id: c.id, withdrawnBy: 'patient', version: 2 });
    expect(w.withdrawnAt).not.toBeNull();
    expect(await hasActiveConsent(clinic.db, encounter.id)).toBe(false);
    expect(await code(withdrawConsent(clinic.db, encounter.id, { kind: 'patient' }))).toBe('invalid_state');
    const { rows } = await clinic.db.query<{ type: string; entity_version: number; payload: { withdrawnBy: string | null } }>(
      `SELECT type, entity_version, payload FROM outbox WHERE entity_id = $1 ORDER BY seq`,
      [c.id],
    );
    expect(rows.map((r) => [r.type, r.entity_version, r.payload.withdrawnBy])).toEqual([
      ['consent', 1, null],
      ['consent', 2, 'patient'],
    ]);
  });

  it('verbal consent names the staff member who recorded it (audited); staff can record a withdrawal', async () => {
    const { encounter } = await avVisit();
    const c = await giveConsent(clinic.db, encounter.id, { kind: 'staff', actor: clinic.nurse });
    expect(c).toMatchObject({ method: 'verbal', recordedBy: clinic.nurse.staffId });
    const audit = await clinic.db.query(`SELECT 1 FROM audit_log WHERE entity = 'consent' AND entity_id = $1 AND staff_id = $2`, [c.id, clinic.nurse.staffId]);
    expect(audit.rows).toHaveLength(1);
    const w = await withdrawConsent(clinic.db, encounter.id, { kind: 'staff', actor: clinic.doctor });
    expect(w.withdrawnBy).toBe(`staff:${clinic.doctor.staffId}`);
    // Consent may be given again after a withdrawal: a new record.
    const again = await giveConsent(clinic.db, encounter.id, { kind: 'patient' });
    expect(again.id).not.toBe(c.id);
    expect((await activeConsent(clinic.db, encounter.id))?.id).toBe(again.id);
  });

  it('is refused once the encounter is closed, but a withdrawal still counts', async () => {
    const { encounter } = await avVisit();
    await giveConsent(clinic.db, encounter.id, { kind: 'patient' });
    await updateEncounter(clinic.db, clinic.doctor, encounter.id, { diagnoses: [{ code: 'J06.9', kind: 'primary' }] });
    await closeEncounter(clinic.db, clinic.queue, clinic.doctor, encounter.id);
    await withdrawConsent(clinic.db, encounter.id, { kind: 'patient' });
    expect(await code(giveConsent(clinic.db, encounter.id, { kind: 'patient' }))).toBe('invalid_state');
    expect(await code(giveConsent(clinic.db, '00000000-0000-4000-8000-000000000000', { kind: 'patient' }))).toBe('not_found');
  });
});
