import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from './testing.ts';
import { demoIds } from '../clinic/demo-ids.ts';

type Issue = { path: string; key: string; message: string; text: { id: string; en: string } };
type ErrorBody = { error: { code: string; message: string; details: { issues?: Issue[] } & Record<string, unknown> } };
const body = async (res: Response) => (await res.json()) as ErrorBody;

/** Words of zod's and the domain's developer English that a nurse must never see. */
const developerEnglish = /Invalid input|expected (string|number)|received|Too (big|small)|\/\^|\\d|valid-until|username taken|items\.0\./;

function expectHuman(b: ErrorBody) {
  expect(b.error.message).not.toMatch(developerEnglish);
  for (const i of b.error.details.issues ?? []) {
    expect(i.message, i.path).not.toMatch(developerEnglish);
    expect(i.text.id).not.toMatch(developerEnglish);
    expect(i.key).toMatch(/^[a-z0-9_]+\.[a-z0-9_]+$/);
  }
}

describe('validation errors a nurse can read, field by field, in her language', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('an empty registration form names every missing field, the NIK among them', async () => {
    const nurse = await box.as('nurse');
    const b = await body(await nurse('/api/v1/patients', { method: 'POST', json: {} }));
    expect(b.error.code).toBe('validation_failed');
    expect(b.error.details.issues!.map((i) => i.path).sort()).toEqual(['birthDate', 'fullName', 'nik', 'sex']);
    expect(b.error.details.issues!.find((i) => i.path === 'fullName')).toMatchObject({ key: 'field.required', message: 'Nama lengkap: wajib diisi.' });
    expect(b.error.details.issues!.find((i) => i.path === 'nik')!.message).toMatch(/NIK atau nomor kartu JKN/);
    expect(b.error.message).toMatch(/^4 isian perlu diperbaiki/);
    expectHuman(b);
  });

  it('a phone with letters, a name too long: what to write, not the pattern', async () => {
    const nurse = await box.as('nurse');
    const b = await body(
      await nurse('/api/v1/patients', { method: 'POST', json: { fullName: 'x'.repeat(101), sex: 'L', birthDate: '1990-01-01', jknNumber: '0001234567000', phone: '08-12 abc' } }),
    );
    const phone = b.error.details.issues!.find((i) => i.path === 'phone')!;
    expect(phone).toMatchObject({ key: 'phone.format' });
    expect(phone.message).toMatch(/8–15 angka/);
    expect(b.error.details.issues!.find((i) => i.path === 'fullName')!.message).toBe('Nama lengkap: terlalu panjang: paling banyak 100 karakter. Singkatkan.');
    expectHuman(b);
    const en = await body(
      await nurse('/api/v1/patients?lang=en', { method: 'POST', json: { fullName: 'Ani', sex: 'P', birthDate: '1990-01-01', jknNumber: '0001234567000', phone: 'abc' } }),
    );
    expect(en.error.details.issues![0].message).toMatch(/^Phone number: enter 8–15 digits/);
  });

  it('a prescription line: which medicine and what to do', async () => {
    const doctor = await box.as('doctor');
    const b = await body(
      await doctor('/api/v1/prescriptions', {
        method: 'POST',
        json: { encounterId: demoIds.encounter, items: [{ formularyId: demoIds.formularyParacetamol, signa: '3 x 1', quantity: 0, days: 3 }] },
      }),
    );
    expect(b.error.details.issues![0]).toMatchObject({ path: 'items.0.quantity', key: 'field.too_small', message: 'Obat ke-1 — Jumlah: paling sedikit 1.' });
    expectHuman(b);
  });

  it('not enough stock: the medicine and the figures, in one language', async () => {
    const doctor = await box.as('doctor');
    const pharmacist = await box.as('pharmacist');
    const rx = (await (
      await doctor('/api/v1/prescriptions', {
        method: 'POST',
        json: { encounterId: demoIds.encounter, items: [{ formularyId: demoIds.formularyParacetamol, signa: '3 x 1', quantity: 9000, days: 3 }] },
      })
    ).json()) as { id: string };
    const res = await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense`, { method: 'POST' });
    expect(res.status).toBe(409);
    const b = await body(res);
    expect(b.error.message).toMatch(/^Stok Parasetamol 500 mg tidak cukup: perlu 9000 tablet, tersedia \d+\./);
  });

  it('a vital that is not a number says so (systolic "abc")', async () => {
    const nurse = await box.as('nurse');
    const b = await body(await nurse(`/api/v1/encounters/${demoIds.encounter}/vitals`, { method: 'PUT', json: { vitals: { systolic: 'abc' } } }));
    expect(b.error.details.issues![0]).toMatchObject({ path: 'vitals.systolic', key: 'field.number' });
    expect(b.error.details.issues![0].message).toMatch(/^Tekanan darah sistolik: isi dengan angka/);
  });

  it('the domain’s refusals about a field: valid-until in the past, a username taken, a wrong NIK', async () => {
    const doctor = await box.as('doctor');
    const past = await body(
      await doctor('/api/v1/referrals', {
        method: 'POST',
        json: {
          encounterId: demoIds.encounter,
          hospitalCode: demoIds.hospital,
          specialty: 'Penyakit Dalam',
          diagnosisCode: 'I10',
          reason: 'Hipertensi tidak terkontrol.',
          validUntil: '2020-01-01',
        },
      }),
    );
    expect(past.error.details.issues![0]).toMatchObject({ path: 'validUntil', key: 'referral.valid_until_past' });
    expect(past.error.message).toMatch(/sudah lewat/);
    expectHuman(past);
    const admin = await box.as('admin');
    const taken = await body(
      await admin('/api/v1/admin/staff', { method: 'POST', json: { username: 'dokter', fullName: 'dr. Lain', role: 'doctor', password: 'pohon-mangga-berbuah-7' } }),
    );
    expect(taken.error.details.issues![0]).toMatchObject({ path: 'username', key: 'staff.username_taken' });
    expectHuman(taken);
    const nurse = await box.as('nurse');
    const nik = await body(await nurse('/api/v1/patients', { method: 'POST', json: { fullName: 'Siti', nik: '3329015203900002', sex: 'L', birthDate: '1990-03-12' } }));
    expect(nik.error.details.issues![0]).toMatchObject({ path: 'nik', key: 'nik.sex_mismatch' });
    expectHuman(nik);
  });
});
