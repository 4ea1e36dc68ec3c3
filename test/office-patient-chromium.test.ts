/**
 * Issue 17, a patient's details in Chromium on a production box (no demo seed): the desk finds a
 * patient by name, edits the phone and clears the address (a wrong phone refused in Bahasa
 * Indonesia next to its field), and merges a duplicate registered by JKN number: chooses the record
 * to keep, confirms, and sees the trail (who registered, edited which fields, merged which record).
 * The duplicate's address leads to the kept record; the doctor edits but cannot merge. axe-core on
 * every page: no serious or critical violation. Screenshots in test-artifacts/office/patient/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPatient } from '../appliance/clinic/patients.ts';
import { makeNik } from '../appliance/clinic/identity-numbers.ts';
import { seriousA11y, startOfficeBox, type OfficeBox } from './support/office-box.ts';

let o: OfficeBox;
let kept = '';
let duplicate = '';

beforeAll(async () => {
  o = await startOfficeBox('patient');
  const nurse = await o.account('ners.sari', 'Sari Wulandari', 'nurse');
  await o.account('dokter.bagus', 'dr. Bagus', 'doctor');
  const actor = { staffId: nurse, role: 'nurse' as const, name: 'Sari Wulandari', device: 'test' };
  kept = (
    await registerPatient(o.box.db, actor, {
      fullName: 'Rahmat Hidayat',
      nik: makeNik('332901', 'L', '1970-05-17', 12),
      sex: 'L',
      birthDate: '1970-05-17',
      address: 'Dusun Krajan RT 01',
      registeredHere: true,
    })
  ).id;
  duplicate = (await registerPatient(o.box.db, actor, { fullName: 'Rahmat H.', jknNumber: '0001234567890', sex: 'L', birthDate: '1970-05-17', registeredHere: true })).id;
}, 120_000);
afterAll(async () => {
  await o?.close();
}, 60_000);

describe('the patient details page', () => {
  it('finds a patient by name and edits the details; a wrong phone is said next to its field', async () => {
    const page = await o.login('ners.sari');
    await page.goto(`${o.box.url}/staff/pasien`);
    await page.getByTestId('patient-search').fill('rahmat');
    await page.getByTestId('patient-search').press('Enter');
    await page.getByTestId(`result-${duplicate}`).waitFor();
    expect(await page.locator('[data-testid^=result-]').count()).toBe(2);
    expect(await seriousA11y(page)).toEqual([]);
    await page.getByTestId(`result-${kept}`).locator('a').click();
    await page.waitForURL(`**/staff/pasien/${kept}`);
    expect(await page.getByTestId('patient-name').innerText()).toBe('Rahmat Hidayat');

    await page.getByTestId('patient-phone').fill('abc');
    await page.getByTestId('patient-save').click();
    await page.locator('#e-phone:not(:empty)').waitFor();
    expect(await page.locator('#e-phone').innerText()).toMatch(/isi 8–15 angka/);
    await page.getByTestId('patient-phone').fill('081234567890');
    await page.getByTestId('patient-address').fill('');
    await page.getByTestId('patient-save').click();
    await page.locator('[data-testid=patient-msg].ok').waitFor();
    expect(await page.getByTestId('patient-msg').innerText()).toBe('Data pasien tersimpan.');
    await page.reload();
    expect(await page.getByTestId('patient-phone').inputValue()).toBe('081234567890');
    expect(await page.getByTestId('patient-address').inputValue()).toBe('');
    expect(await page.getByTestId('change-update').first().innerText()).toMatch(/Sari Wulandari\s+Mengubah data pasien — kolom: Alamat, Nomor HP/);
    await o.shot(page, 'edited');
    expect(await seriousA11y(page)).toEqual([]);
  }, 90_000);

  it('merges a duplicate: choose the record to keep, confirm, the trail shows it', async () => {
    const page = await o.login('ners.sari');
    await page.goto(`${o.box.url}/staff/pasien/${kept}`);
    const merge = page.getByTestId('merge');
    await merge.getByTestId('patient-search').fill('Rahmat');
    await merge.getByTestId('patient-search').press('Enter');
    await page.getByTestId(`choose-${duplicate}`).click();
    // The record shown is kept by default; the question names both.
    expect(await page.getByTestId('merge-question').innerText()).toMatch(/Gabungkan Rahmat H\. ke dalam Rahmat Hidayat \(NIK 3329011705700012\)\?/);
    await page.getByTestId('keep-other').check();
    expect(await page.getByTestId('merge-question').innerText()).toMatch(/Gabungkan Rahmat Hidayat .* ke dalam Rahmat H\.\?/);
    await page.getByTestId('keep-this').check();
    await o.shot(page, 'merge-confirm');
    expect(await seriousA11y(page)).toEqual([]);
    await page.getByTestId('merge-confirm').click();
    await page.waitForURL(`**/staff/pasien/${kept}?merged=1`);
    expect(await page.getByTestId('patient-merged').innerText()).toMatch(/digabungkan/);
    expect(await page.getByTestId('change-merge').first().innerText()).toMatch(/Sari Wulandari\s+Menggabungkan data ganda pasien — dari data Rahmat H\./);
    // The duplicate's registration is in the kept record's trail too.
    expect(await page.getByTestId('patient-changes').innerText()).toMatch(/Mendaftarkan pasien — dari data Rahmat H\./);
    await o.shot(page, 'merged');
    // One record left to find; the duplicate's address leads to the kept record.
    await page.goto(`${o.box.url}/staff/pasien`);
    await page.getByTestId('patient-search').fill('rahmat');
    await page.getByTestId('patient-search').press('Enter');
    await page.getByTestId(`result-${kept}`).waitFor();
    expect(await page.locator('[data-testid^=result-]').count()).toBe(1);
    await page.goto(`${o.box.url}/staff/pasien/${duplicate}`);
    expect(new URL(page.url()).pathname).toBe(`/staff/pasien/${kept}`);
    expect(await page.getByTestId('patient-was-merged').count()).toBe(1);
    expect(o.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
  }, 90_000);

  it('the doctor edits but has no merge; on a 360 px phone the form fits', async () => {
    const page = await o.login('dokter.bagus', 'phone');
    await page.goto(`${o.box.url}/staff/pasien/${kept}`);
    await page.getByTestId('patient-form').waitFor();
    expect(await page.getByTestId('merge').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await o.shot(page, 'doctor-phone');
    expect(await seriousA11y(page)).toEqual([]);
  }, 60_000);
});
