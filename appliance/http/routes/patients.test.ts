import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';

describe('patients over HTTP', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('registers a patient whose NIK agrees with sex and birth date, and finds them by NIK, JKN or name', async () => {
    const nurse = await box.as('nurse');
    const res = await nurse('/api/v1/patients', {
      method: 'POST',
      json: { fullName: 'Ketut Ayu Lestari', nik: '5171046508920003', jknNumber: '0009876543210', sex: 'P', birthDate: '1992-08-25', registeredHere: true },
    });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { id: string; registeredHere: boolean };
    expect(p.registeredHere).toBe(true);
    for (const q of ['5171046508920003', '0009876543210', 'ketut', 'Lestari']) {
      const found = (await (await nurse(`/api/v1/patients?q=${q}`)).json()) as { patients: { id: string }[] };
      expect(
        found.patients.map((x) => x.id),
        q,
      ).toContain(p.id);
    }
  });

  it('refuses a NIK whose birth date or sex disagrees, in the request’s language, and stores nothing', async () => {
    const nurse = await box.as('nurse');
    const before = (await box.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patients')).rows[0].n;
    const res = await nurse('/api/v1/patients', {
      method: 'POST',
      headers: { 'accept-language': 'en-US' },
      json: { fullName: 'Salah Tanggal', nik: '5171042508920004', sex: 'P', birthDate: '1992-08-25' },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; details: { problem: string } } };
    expect(body.error).toMatchObject({ code: 'invalid', details: { problem: 'sex_mismatch' } });
    expect(body.error.message).toMatch(/^NIK: the NIK does not match the sex/);
    expect((await box.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patients')).rows[0].n).toBe(before);
  });

  it('a second registration with the same NIK is a conflict', async () => {
    const nurse = await box.as('nurse');
    const body = { fullName: 'Dua Kali', nik: '3329011708750009', sex: 'L', birthDate: '1975-08-17' };
    expect((await nurse('/api/v1/patients', { method: 'POST', json: body })).status).toBe(200);
    expect((await nurse('/api/v1/patients', { method: 'POST', json: body })).status).toBe(409);
  });

  it('reading a patient is audited with who read it', async () => {
    const doctor = await box.as('doctor');
    const { patients } = (await (await doctor('/api/v1/patients?q=Budi')).json()) as { patients: { id: string }[] };
    await doctor(`/api/v1/patients/${patients[0].id}`);
    const admin = await box.as('admin');
    const { entries } = (await (await admin(`/api/v1/admin/audit?patientId=${patients[0].id}`)).json()) as { entries: { staff: string; action: string; entity: string }[] };
    expect(entries[0]).toMatchObject({ staff: 'dokter', action: 'read', entity: 'patient' });
  });

  it('treats % _ and \\ in a search as the characters themselves, not wildcards', async () => {
    const nurse = await box.as('nurse');
    const reg = await nurse('/api/v1/patients', { method: 'POST', json: { fullName: 'Wati_100% Back\\slash', jknNumber: '0001112223334', sex: 'P', birthDate: '1990-01-01' } });
    expect(reg.status).toBe(200);
    const find = async (q: string) =>
      ((await (await nurse(`/api/v1/patients?q=${encodeURIComponent(q)}`)).json()) as { patients: { fullName: string }[] }).patients.map((p) => p.fullName);
    expect(await find('%')).toEqual([]);
    expect(await find('_')).toEqual([]);
    expect(await find('%a')).toEqual([]);
    expect(await find('w_ti')).toEqual([]);
    expect(await find('\\')).toEqual([]);
    expect(await find('wati_100%')).toEqual(['Wati_100% Back\\slash']);
    expect(await find('back\\')).toEqual(['Wati_100% Back\\slash']);
    expect(await find('3%')).toEqual([]); // the digits branch (NIK, JKN) too
    const doctor = await box.as('doctor');
    const form = async (q: string) => ((await (await doctor(`/api/v1/formulary?q=${encodeURIComponent(q)}`)).json()) as { items: unknown[] }).items.length;
    expect(await form('%')).toBe(0);
    expect(await form('_')).toBe(0);
    expect(await form('para')).toBeGreaterThan(0);
  });

  it('the audit row of a search keeps what was searched', async () => {
    const nurse = await box.as('nurse');
    await nurse(`/api/v1/patients?q=${encodeURIComponent('Sri Wahyu')}`);
    const admin = await box.as('admin');
    const { entries } = (await (await admin('/api/v1/admin/audit?entity=patient')).json()) as { entries: { staff: string; action: string; detail: string | null }[] };
    expect(entries.find((e) => e.action === 'list')).toMatchObject({ staff: 'perawat', action: 'list', detail: 'Sri Wahyu' });
  });
});
