import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { auditLabelKeys } from '../audit-labels.ts';

type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;

describe('the audit log answers “who opened this patient’s record”', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
    const doctor = await box.as('doctor');
    await doctor(`/api/v1/patients/${demoIds.patient}`);
    await doctor(`/api/v1/encounters/${demoIds.encounter}`);
    await doctor(`/api/v1/patients/${demoIds.patient}/history`);
  });
  afterAll(() => box.close());

  it('by the patient’s name, NIK or JKN number, with staff and patient names and a translated action', async () => {
    const admin = await box.as('admin');
    const byName = await admin('/api/v1/admin/audit?patient=budi');
    expect(byName.status).toBe(200);
    const rows = (await json(byName)).entries as Json[];
    const opened = rows.find((r) => r.actionKey === 'audit.read.patient')!;
    expect(opened).toMatchObject({ staffName: 'dr. Andi Wijaya', patientName: 'Budi Santoso', actionText: 'Membuka data pasien', patient_id: demoIds.patient });
    expect(rows.some((r) => r.actionKey === 'audit.read.patient_history')).toBe(true);
    const nik = (await box.db.query<{ nik: string }>(`SELECT nik FROM patients WHERE id = $1`, [demoIds.patient])).rows[0].nik;
    expect((await json(await admin(`/api/v1/admin/audit?patient=${nik}`))).entries.length).toBe(rows.length);
    expect((await json(await admin('/api/v1/admin/audit?patient=000123456789'))).entries.length).toBeGreaterThan(0);
    // A name nobody has is an empty list, not "patientId: Invalid UUID".
    const none = await admin('/api/v1/admin/audit?patient=Rahmat');
    expect(none.status).toBe(200);
    expect((await json(none)).entries).toEqual([]);
    const en = (await json(await admin('/api/v1/admin/audit?patient=budi&lang=en'))).entries as Json[];
    expect(en.find((r) => r.actionKey === 'audit.read.patient')!.actionText).toBe('Opened the patient’s record');
  });

  it('a range whose start is after its end is a clear 422 in Bahasa Indonesia', async () => {
    const admin = await box.as('admin');
    const res = await admin('/api/v1/admin/audit?from=2026-12-03&to=2026-12-01');
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.message).toMatch(/lebih akhir daripada tanggal/);
    expect(body.error.details.issues[0]).toMatchObject({ path: 'from', code: 'range_reversed' });
  });

  it('every action written during a clinic day has a label (no English words of the table shown)', async () => {
    const { rows } = await box.db.query<{ k: string }>(`SELECT DISTINCT 'audit.' || action || '.' || entity AS k FROM audit_log`);
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows) expect(auditLabelKeys, r.k).toContain(r.k);
  });
});
