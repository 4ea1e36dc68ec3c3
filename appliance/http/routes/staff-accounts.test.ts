import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { demoStaff } from '../../clinic/demo.ts';

type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const staffId = async (box: TestBox, username: string) => (await box.db.query<{ id: string }>(`SELECT id FROM staff WHERE username = $1`, [username])).rows[0].id;

describe('staff accounts: deactivate, temporary password, midwife', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('a deactivated account cannot log in and its open session ends at once', async () => {
    const admin = await box.as('admin');
    const pharmacist = await box.as('pharmacist');
    expect((await pharmacist('/api/v1/auth/me')).status).toBe(200);
    const id = await staffId(box, 'apoteker');
    expect((await admin(`/api/v1/admin/staff/${id}/deactivate`, { method: 'POST' })).status).toBe(200);
    expect((await pharmacist('/api/v1/auth/me')).status).toBe(401);
    const again = await box.call('/api/v1/auth/login', { method: 'POST', json: { username: 'apoteker', password: 'demo-apoteker-123' } });
    expect(again.status).toBe(401);
    const list = await json(await admin('/api/v1/admin/staff'));
    expect(list.staff.find((s: Json) => s.username === 'apoteker')).toMatchObject({ active: false });
    // Activated again, the account logs in.
    expect((await admin(`/api/v1/admin/staff/${id}/activate`, { method: 'POST' })).status).toBe(200);
    expect((await box.call('/api/v1/auth/login', { method: 'POST', json: { username: 'apoteker', password: 'demo-apoteker-123' } })).status).toBe(200);
    const audit = await box.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity = 'staff' AND entity_id = $1 ORDER BY id`, [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['deactivate', 'activate']);
  });

  it('the admin cannot deactivate their own account or the last admin', async () => {
    const admin = await box.as('admin');
    const res = await admin(`/api/v1/admin/staff/${await staffId(box, 'admin')}/deactivate`, { method: 'POST' });
    expect(res.status).toBe(422);
  });

  it('a temporary password: the API refuses other calls, in Bahasa Indonesia, until it is changed', async () => {
    const admin = await box.as('admin');
    const id = await staffId(box, 'apoteker');
    const weak = await admin(`/api/v1/admin/staff/${id}/password`, { method: 'PUT', json: { password: 'password123' } });
    expect(weak.status).toBe(400);
    expect((await admin(`/api/v1/admin/staff/${id}/password`, { method: 'PUT', json: { password: 'sementara-pagi-jeruk-31' } })).status).toBe(200);
    const loginRes = await box.call('/api/v1/auth/login', { method: 'POST', json: { username: 'apoteker', password: 'sementara-pagi-jeruk-31' } });
    expect(await json(loginRes.clone())).toMatchObject({ mustChangePassword: true });
    const nurse = await box.login('apoteker', 'sementara-pagi-jeruk-31');
    const refused = await nurse('/api/v1/pharmacy/queue');
    expect(refused.status).toBe(403);
    const body = await json(refused);
    expect(body.error.code).toBe('password_change_required');
    expect(body.error.message).toMatch(/Ganti kata sandi/);
    const wrong = await nurse('/api/v1/auth/password', { method: 'POST', json: { currentPassword: 'salah-sekali-123', newPassword: 'mangga-manis-dari-bali-8' } });
    expect(wrong.status).toBe(422);
    const ok = await nurse('/api/v1/auth/password', { method: 'POST', json: { currentPassword: 'sementara-pagi-jeruk-31', newPassword: 'mangga-manis-dari-bali-8' } });
    expect(ok.status).toBe(200);
    expect((await nurse('/api/v1/pharmacy/queue')).status).toBe(200);
    expect((await json(await nurse('/api/v1/auth/me'))).mustChangePassword).toBe(false);
    const audit = await box.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity = 'staff' AND entity_id = $1 ORDER BY id`, [id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['deactivate', 'activate', 'password_reset', 'password_change']);
  });

  it('a midwife treats in the KIA poli like a doctor, and not in the general poli', async () => {
    expect(demoStaff.some((s) => s.role === 'midwife')).toBe(true);
    const midwife = await box.as('midwife');
    const desk = await json(await midwife('/api/v1/queue/desk', { method: 'POST', json: { poli: 'kia', patientId: demoIds.patient } }));
    const opened = await midwife('/api/v1/encounters', { method: 'POST', json: { ticketId: desk.id } });
    expect(opened.status).toBe(200);
    const enc = await json(opened);
    expect((await midwife(`/api/v1/encounters/${enc.id}`, { method: 'PATCH', json: { diagnoses: [{ code: 'Z34.9', kind: 'primary' }] } })).status).toBe(200);
    const rx = await midwife('/api/v1/prescriptions', {
      method: 'POST',
      json: { encounterId: enc.id, items: [{ formularyId: demoIds.formularyParacetamol, signa: '1 x 1', quantity: 10, days: 10 }] },
    });
    expect(rx.status).toBe(200);
    expect((await midwife(`/api/v1/encounters/${enc.id}/close`, { method: 'POST' })).status).toBe(200);
    // The general poli is the doctor's.
    const umum = await json(await midwife('/api/v1/queue/desk', { method: 'POST', json: { poli: 'umum', patientId: demoIds.patient } }));
    const refused = await midwife('/api/v1/encounters', { method: 'POST', json: { ticketId: umum.id } });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('not_allowed');
    const demoVisit = await midwife('/api/v1/prescriptions', {
      method: 'POST',
      json: { encounterId: demoIds.encounter, items: [{ formularyId: demoIds.formularyParacetamol, signa: '1 x 1', quantity: 1, days: 1 }] },
    });
    expect(demoVisit.status).toBe(403);
    // Reports and accounts are not hers.
    expect((await midwife('/api/v1/reports/2025-03')).status).toBe(403);
    expect((await midwife('/api/v1/admin/staff')).status).toBe(403);
  });
});
