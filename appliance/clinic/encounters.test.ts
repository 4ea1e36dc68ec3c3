import { describe, expect, it } from 'vitest';
import { clinicError, useClinic, testSettings } from './testing.ts';
import { demoIds } from './demo-ids.ts';
import type { Db } from './db.ts';
import { closeEncounter, getEncounter, openEncounter, updateEncounter } from './encounters.ts';

const settings = testSettings({
  polis: [
    { code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1', 'Ruang 2'] },
    { code: 'gigi', name: 'Poli Gigi', prefix: 'B', rooms: ['Ruang Gigi'] },
  ],
});

async function rejects(p: Promise<unknown>, code: string, details: Record<string, unknown> = {}) {
  const e = await clinicError(p);
  expect(e.code).toBe(code);
  expect(e.details).toMatchObject(details);
}

describe('encounters', () => {
  const clinic = useClinic(settings);

  const ticketFor = async (patientId?: string) => (await clinic.queue.take({ poli: 'umum', source: 'desk', patientId }, clinic.nurse)).ticket;

  it('refuses a ticket without a patient, and opens from a waiting ticket (calling it), once', async () => {
    const anon = await ticketFor();
    await rejects(openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: anon.id }), 'invalid', { problem: 'no_patient' });

    const t = await ticketFor(demoIds.patient);
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: t.id, mode: 'audio_only' });
    expect(e).toMatchObject({ status: 'open', mode: 'audio_only', patientId: demoIds.patient, ticketId: t.id, version: 1, poli: 'umum' });
    expect((await clinic.queue.get(t.id)).status).toBe('serving');
    const again = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: t.id });
    expect(again.id).toBe(e.id);
    const { rows } = await clinic.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM encounters WHERE ticket_id = $1`, [t.id]);
    expect(rows[0].n).toBe(1);
  });

  it('validates vital-sign ranges, merges vitals and clears with null', async () => {
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: (await ticketFor(demoIds.patient)).id });
    await rejects(updateEncounter(clinic.db, clinic.nurse, e.id, { vitals: { temperature: 50 } }), 'invalid');
    await rejects(updateEncounter(clinic.db, clinic.nurse, e.id, { vitals: { spo2: 101 } }), 'invalid');
    await rejects(updateEncounter(clinic.db, clinic.nurse, e.id, { vitals: { pulse: 80.5 } }), 'invalid');
    await rejects(updateEncounter(clinic.db, clinic.nurse, e.id, { vitals: { systolic: 80, diastolic: 90 } }), 'invalid', { field: 'vitals.diastolic' });
    const v1 = await updateEncounter(clinic.db, clinic.nurse, e.id, { vitals: { systolic: 130, diastolic: 85, temperature: 37.5, weight: 60.5 } });
    const v2 = await updateEncounter(clinic.db, clinic.doctor, e.id, { vitals: { pulse: 90, weight: null }, subjective: 'Pusing' });
    expect(v2.vitals).toEqual({ systolic: 130, diastolic: 85, temperature: 37.5, pulse: 90 });
    expect(v2.subjective).toBe('Pusing');
    expect(v2.version).toBe(v1.version + 1);
    // Another tablet's change is not overwritten silently.
    await rejects(updateEncounter(clinic.db, clinic.doctor, e.id, { version: v1.version, plan: 'x' }), 'conflict');
  });

  it('takes at most one primary ICD-10 diagnosis, from the list', async () => {
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: (await ticketFor(demoIds.patient)).id });
    await rejects(
      updateEncounter(clinic.db, clinic.doctor, e.id, {
        diagnoses: [
          { code: 'J06.9', kind: 'primary' },
          { code: 'I10', kind: 'primary' },
        ],
      }),
      'invalid',
    );
    await rejects(updateEncounter(clinic.db, clinic.doctor, e.id, { diagnoses: [{ code: 'Z99.99', kind: 'primary' }] }), 'invalid');
    await rejects(
      updateEncounter(clinic.db, clinic.doctor, e.id, {
        diagnoses: [
          { code: 'I10', kind: 'primary' },
          { code: 'I10', kind: 'secondary' },
        ],
      }),
      'invalid',
    );
    const u = await updateEncounter(clinic.db, clinic.doctor, e.id, {
      diagnoses: [
        { code: 'I10', kind: 'secondary' },
        { code: 'j06.9', kind: 'primary' },
      ],
    });
    expect(u.diagnoses).toEqual([
      { code: 'J06.9', name: expect.stringContaining('pernapasan'), kind: 'primary' },
      { code: 'I10', name: expect.stringContaining('Hipertensi'), kind: 'secondary' },
    ]);
  });

  it('saves vitals, notes and a draft list of diagnoses before a primary is chosen (the rule belongs to closing)', async () => {
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: (await ticketFor(demoIds.patient)).id });
    // The examination page sends its diagnosis list with every save, empty at first.
    const a = await updateEncounter(clinic.db, clinic.doctor, e.id, { vitals: { systolic: 120, diastolic: 80 }, subjective: 'Batuk', diagnoses: [] });
    expect(a).toMatchObject({ vitals: { systolic: 120, diastolic: 80 }, subjective: 'Batuk', diagnoses: [] });
    const b = await updateEncounter(clinic.db, clinic.doctor, e.id, { diagnoses: [{ code: 'I10', kind: 'secondary' }] });
    expect(b.diagnoses).toEqual([{ code: 'I10', name: expect.any(String), kind: 'secondary' }]);
    await rejects(closeEncounter(clinic.db, clinic.queue, clinic.doctor, e.id), 'invalid', { problem: 'no_primary' });
  });

  it('closes only with a primary diagnosis: writes the summary to the outbox and finishes the ticket', async () => {
    const t = await ticketFor(demoIds.patient);
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: t.id });
    await rejects(closeEncounter(clinic.db, clinic.queue, clinic.doctor, e.id), 'invalid', { problem: 'no_primary' });
    await updateEncounter(clinic.db, clinic.doctor, e.id, { diagnoses: [{ code: 'K29.7', kind: 'primary' }], vitals: { temperature: 36.8 }, subjective: 'rahasia' });
    const closed = await closeEncounter(clinic.db, clinic.queue, clinic.doctor, e.id, settings.facility.code);
    expect(closed).toMatchObject({ status: 'closed', version: 3 });
    expect(closed.closedAt).not.toBeNull();
    expect((await clinic.queue.get(t.id)).status).toBe('done');
    const { rows } = await clinic.db.query<{ type: string; entity_version: number; payload: Record<string, unknown> }>(
      `SELECT type, entity_version, payload FROM outbox WHERE entity_id = $1`,
      [e.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'encounter_summary', entity_version: 3 });
    expect(rows[0].payload).toMatchObject({ facility: '0112P001', diagnoses: [{ code: 'K29.7', kind: 'primary' }], patient: { jknNumber: '0001234567891' } });
    expect(JSON.stringify(rows[0].payload)).not.toContain('rahasia');
    await rejects(updateEncounter(clinic.db, clinic.doctor, e.id, { plan: 'x' }), 'invalid_state');
    await rejects(closeEncounter(clinic.db, clinic.queue, clinic.doctor, e.id), 'invalid_state');
  });

  it('a failing outbox insert leaves the encounter open (record and outbox entry commit together)', async () => {
    const e = await openEncounter(clinic.db, clinic.queue, clinic.doctor, { ticketId: (await ticketFor(demoIds.patient)).id });
    await updateEncounter(clinic.db, clinic.doctor, e.id, { diagnoses: [{ code: 'I10', kind: 'primary' }] });
    const broken: Db = {
      query: (sql, params) => clinic.db.query(sql, params),
      transaction: (fn) =>
        clinic.db.transaction((tx) =>
          fn({ query: (sql: string, params?: unknown[]) => (/INSERT INTO outbox/.test(sql) ? Promise.reject(new Error('disk full')) : tx.query(sql, params)) } as never),
        ),
    } as Db;
    await expect(closeEncounter(broken, clinic.queue, clinic.doctor, e.id)).rejects.toThrow('disk full');
    expect((await getEncounter(clinic.db, clinic.doctor, e.id)).status).toBe('open');
    const { rows } = await clinic.db.query(`SELECT 1 FROM outbox WHERE entity_id = $1`, [e.id]);
    expect(rows).toHaveLength(0);
  });

  it('audits reads and changes by staff, with the device', async () => {
    await getEncounter(clinic.db, clinic.nurse, demoIds.encounter);
    const { rows } = await clinic.db.query<{ action: string; device: string; patient_id: string }>(
      `SELECT action, device, patient_id FROM audit_log WHERE entity = 'encounter' AND entity_id = $1 AND staff_id = $2`,
      [demoIds.encounter, clinic.nurse.staffId],
    );
    expect(rows).toContainEqual({ action: 'read', device: 'tablet', patient_id: demoIds.patient });
  });
});
