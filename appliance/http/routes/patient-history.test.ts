import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { checkRecord } from '../../../central/contract/records.ts';

type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;

describe('the patient’s history, edits, merges and triage vitals', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  /** A whole visit of a patient in a poli: desk number, triage vitals, open, diagnose, prescribe, close. */
  async function visit(patientId: string, vitals: Json, code: string) {
    const nurse = await box.as('nurse');
    const doctor = await box.as('doctor');
    const desk = await json(await nurse('/api/v1/queue/desk', { method: 'POST', json: { poli: 'gigi', patientId } }));
    expect((await nurse(`/api/v1/queue/tickets/${desk.id}/vitals`, { method: 'PUT', json: { vitals } })).status).toBe(200);
    const enc = await json(await doctor('/api/v1/encounters', { method: 'POST', json: { ticketId: desk.id } }));
    expect((await doctor(`/api/v1/encounters/${enc.id}`, { method: 'PATCH', json: { diagnoses: [{ code, kind: 'primary' }] } })).status).toBe(200);
    await doctor('/api/v1/prescriptions', {
      method: 'POST',
      json: { encounterId: enc.id, items: [{ formularyId: demoIds.formularyParacetamol, signa: '3 x 1', quantity: 10, days: 3 }] },
    });
    expect((await doctor(`/api/v1/encounters/${enc.id}/close`, { method: 'POST' })).status).toBe(200);
    return { ticketId: desk.id as string, encounter: enc };
  }

  it('triage vitals taken on the ticket are in the visit when the doctor opens it', async () => {
    const nurse = await box.as('nurse');
    const desk = await json(await nurse('/api/v1/queue/desk', { method: 'POST', json: { poli: 'gigi', patientId: demoIds.patient } }));
    const put = await nurse(`/api/v1/queue/tickets/${desk.id}/vitals`, { method: 'PUT', json: { vitals: { systolic: 160, diastolic: 100, weight: 70 } } });
    expect(put.status).toBe(200);
    expect(await json(put)).toMatchObject({ vitals: { systolic: 160, diastolic: 100, weight: 70 }, recordedBy: 'Ns. Dewi Lestari', encounterId: null });
    // A second measurement merges; a wrong pair is refused.
    await nurse(`/api/v1/queue/tickets/${desk.id}/vitals`, { method: 'PUT', json: { vitals: { systolic: 150, pulse: 80 } } });
    expect((await nurse(`/api/v1/queue/tickets/${desk.id}/vitals`, { method: 'PUT', json: { vitals: { systolic: 90, diastolic: 95 } } })).status).toBe(422);
    const doctor = await box.as('doctor');
    const enc = await json(await doctor('/api/v1/encounters', { method: 'POST', json: { ticketId: desk.id } }));
    expect(enc.vitals).toEqual({ systolic: 150, diastolic: 100, weight: 70, pulse: 80 });
    // After opening, the ticket's vitals go to the visit.
    const after = await json(await nurse(`/api/v1/queue/tickets/${desk.id}/vitals`, { method: 'PUT', json: { vitals: { temperature: 37.5 } } }));
    expect(after.encounterId).toBe(enc.id);
    expect((await json(await doctor(`/api/v1/encounters/${enc.id}`))).vitals.temperature).toBe(37.5);
    await doctor(`/api/v1/encounters/${enc.id}`, { method: 'PATCH', json: { diagnoses: [{ code: 'I10', kind: 'primary' }] } });
    await doctor(`/api/v1/encounters/${enc.id}/close`, { method: 'POST' });
  });

  it('the history: visits with diagnoses and medicines, blood pressure and weight series, allergies, open referrals; audited', async () => {
    await visit(demoIds.patient, { systolic: 140, diastolic: 90, weight: 69 }, 'K02.9');
    const doctor = await box.as('doctor');
    const res = await doctor(`/api/v1/patients/${demoIds.patient}/history`);
    expect(res.status).toBe(200);
    const h = await json(res);
    expect(h.patient).toMatchObject({ id: demoIds.patient, fullName: 'Budi Santoso', sex: 'L' });
    expect(h.patient.ageYears).toBeGreaterThan(40);
    expect(h.allergies.map((a: Json) => a.substance)).toEqual(['Amoksisilin']);
    expect(h.visits[0].diagnoses[0].code).toBe('K02.9');
    expect(h.visits[0].medicines[0]).toMatchObject({ name: 'Parasetamol', quantity: 10 });
    expect(h.series.bloodPressure.map((b: Json) => b.systolic)).toEqual(expect.arrayContaining([120, 150, 140]));
    expect(h.series.weight.length).toBeGreaterThanOrEqual(2);
    const { rows } = await box.db.query(`SELECT 1 FROM audit_log WHERE entity = 'patient_history' AND patient_id = $1`, [demoIds.patient]);
    expect(rows.length).toBe(1);
    // Not for the admin (no clinical notes) or the pharmacist.
    expect((await (await box.as('admin'))(`/api/v1/patients/${demoIds.patient}/history`)).status).toBe(403);
  });

  it('allergies: added once, removed when recorded in error', async () => {
    const nurse = await box.as('nurse');
    const add = await json(await nurse(`/api/v1/patients/${demoIds.patient}/allergies`, { method: 'POST', json: { substance: 'Kotrimoksazol', reaction: 'ruam' } }));
    await nurse(`/api/v1/patients/${demoIds.patient}/allergies`, { method: 'POST', json: { substance: 'kotrimoksazol' } });
    expect(add.allergies.map((a: Json) => a.substance)).toEqual(['Amoksisilin', 'Kotrimoksazol']);
    const id = add.allergies[1].id;
    const removed = await json(await nurse(`/api/v1/patients/${demoIds.patient}/allergies/${id}/remove`, { method: 'POST' }));
    expect(removed.allergies.map((a: Json) => a.substance)).toEqual(['Amoksisilin']);
  });

  it('edits a patient’s details: the NIK is checked, the trail names the fields, not the values', async () => {
    const nurse = await box.as('nurse');
    const ok = await nurse(`/api/v1/patients/${demoIds.patient}`, { method: 'PATCH', json: { phone: '081234567890', address: 'Dusun Krajan' } });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ phone: '081234567890', address: 'Dusun Krajan' });
    expect((await nurse(`/api/v1/patients/${demoIds.patient}`, { method: 'PATCH', json: { nik: '3329011708750009', sex: 'P' } })).status).toBe(422);
    expect((await nurse(`/api/v1/patients/${demoIds.patient}`, { method: 'PATCH', json: { nik: null, jknNumber: null } })).status).toBe(422);
    const { rows } = await box.db.query<{ detail: string }>(`SELECT detail FROM audit_log WHERE entity = 'patient' AND action = 'update' ORDER BY id DESC LIMIT 1`);
    expect(rows[0].detail).toBe('address,phone');
  });

  it('merges a duplicate: visits move, the centre gets them again under the kept patient and a merge record; audited', async () => {
    const nurse = await box.as('nurse');
    const dupVisit = await visit(demoIds.patientDuplicate, { systolic: 130, diastolic: 85 }, 'J06.9');
    const before = await box.db.query<{ seq: number }>(`SELECT max(seq)::int AS seq FROM outbox`);
    const res = await nurse(`/api/v1/patients/${demoIds.patient}/merge`, { method: 'POST', json: { duplicateId: demoIds.patientDuplicate } });
    expect(res.status).toBe(200);
    expect((await json(res)).moved).toMatchObject({ encounters: 1, tickets: 1, prescriptions: 1 });
    const out = await box.db.query<{ type: string; entity_id: string; entity_version: number; schema_version: number; payload: Json; id: string; seq: number; created_at: string }>(
      `SELECT * FROM outbox WHERE seq > $1 ORDER BY seq`,
      [before.rows[0].seq],
    );
    const summary = out.rows.find((r) => r.type === 'encounter_summary')!;
    expect(summary).toMatchObject({ entity_id: dupVisit.encounter.id, entity_version: 4 });
    expect(summary.payload.patient.id).toBe(demoIds.patient);
    const merge = out.rows.find((r) => r.type === 'patient_merge')!;
    expect(merge.payload).toMatchObject({ keptPatientId: demoIds.patient, mergedPatientId: demoIds.patientDuplicate });
    for (const r of out.rows) {
      expect(
        checkRecord({
          seq: Number(r.seq),
          type: r.type,
          sv: r.schema_version,
          entity: r.entity_id,
          ev: r.entity_version,
          at: new Date(r.created_at).toISOString(),
          payload: r.payload,
        } as never),
      ).toBeNull();
    }
    const h = await json(await (await box.as('doctor'))(`/api/v1/patients/${demoIds.patient}/history`));
    expect(h.visits.map((v: Json) => v.id)).toContain(dupVisit.encounter.id);
    // The duplicate is out of the search, and cannot be merged again.
    const found = await json(await nurse('/api/v1/patients?q=0001234567899'));
    expect(found.patients).toEqual([]);
    expect((await nurse(`/api/v1/patients/${demoIds.patient}/merge`, { method: 'POST', json: { duplicateId: demoIds.patientDuplicate } })).status).toBe(409);
    expect((await nurse(`/api/v1/patients/${demoIds.patient}/merge`, { method: 'POST', json: { duplicateId: demoIds.patient } })).status).toBe(422);
    const trail = await box.db.query<{ entity_id: string }>(`SELECT entity_id FROM audit_log WHERE action = 'merge' ORDER BY id`);
    expect(trail.rows.map((r) => r.entity_id)).toEqual([demoIds.patient, demoIds.patientDuplicate]);
  });
});
