import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../../testing.ts';
import { createStaff } from '../../../clinic/staff.ts';

/**
 * Issue 17: a temporary password set by the admin must be changed at the next login. The API
 * refused everything but the change; the staff pages still opened (and then failed call by call).
 * Now every staff page sends such a session to /staff/kata-sandi first, and back afterwards.
 */
describe('a temporary password on the staff pages (production box)', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox({}, undefined, { demo: false });
    await createStaff(box.db, { username: 'kepala', fullName: 'Kepala Puskesmas', role: 'admin', password: 'kelapa-muda-di-pantai-9' });
    await createStaff(box.db, { username: 'ners.sari', fullName: 'Ns. Sari', role: 'nurse', password: 'kelapa-muda-di-pantai-8' });
  });
  afterAll(() => box.close());

  it('every staff page sends the session to the change page until the password is changed', async () => {
    const admin = await box.login('kepala', 'kelapa-muda-di-pantai-9');
    const staff = (await (await admin('/api/v1/admin/staff')).json()) as { staff: { id: string; username: string }[] };
    const sari = staff.staff.find((s) => s.username === 'ners.sari')!;
    expect((await admin(`/api/v1/admin/staff/${sari.id}/password`, { method: 'PUT', json: { password: 'sementara-jeruk-pagi-31' } })).status).toBe(200);

    const nurse = await box.login('ners.sari', 'sementara-jeruk-pagi-31');
    for (const path of ['/staff', '/staff/antrean']) {
      const res = await nurse(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe(`/staff/kata-sandi?next=${encodeURIComponent(path)}`);
    }
    const change = await nurse('/staff/kata-sandi');
    expect(change.status).toBe(200);
    expect(await change.text()).toContain('data-testid="password-form"');

    expect((await nurse('/api/v1/auth/password', { method: 'POST', json: { currentPassword: 'sementara-jeruk-pagi-31', newPassword: 'pisang-goreng-sore-hari-7' } })).status).toBe(
      200,
    );
    expect((await nurse('/staff/antrean')).status).toBe(200);
  });
});
