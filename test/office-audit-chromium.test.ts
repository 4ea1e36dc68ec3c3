/**
 * Issue 17 defect 8 in Chromium on a production box (no demo seed): the audit page answers "who
 * opened this patient's record". The admin types the patient's name, NIK or JKN number (not an
 * internal id); rows name the staff member and the patient, with the action in Bahasa Indonesia
 * (http/audit-labels.ts), never `read`/`update`. A start date after the end date is said next to the
 * field instead of an empty list, also when the two are one day apart. axe-core: no serious or
 * critical violation. Screenshots in test-artifacts/office/audit/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPatient, registerPatient } from '../appliance/clinic/patients.ts';
import { makeNik } from '../appliance/clinic/identity-numbers.ts';
import { seriousA11y, startOfficeBox, type OfficeBox } from './support/office-box.ts';

let o: OfficeBox;
const nik = makeNik('332901', 'L', '1970-05-17', 12);

beforeAll(async () => {
  o = await startOfficeBox('audit');
  await o.account('kepala', 'Kepala Puskesmas', 'admin');
  const nurse = { staffId: await o.account('ners.sari', 'Sari Wulandari', 'nurse'), role: 'nurse' as const, name: 'Sari Wulandari', device: '192.168.1.20 Tablet' };
  const doctor = { staffId: await o.account('dokter.bagus', 'dr. Bagus Pratama', 'doctor'), role: 'doctor' as const, name: 'dr. Bagus', device: '192.168.1.21 Tablet' };
  const rahmat = await registerPatient(o.box.db, nurse, { fullName: 'Rahmat Hidayat', nik, sex: 'L', birthDate: '1970-05-17', registeredHere: true });
  const siti = await registerPatient(o.box.db, nurse, { fullName: 'Siti Aminah', jknNumber: '0001234567890', sex: 'P', birthDate: '1985-02-03', registeredHere: true });
  await getPatient(o.box.db, doctor, rahmat.id);
  await getPatient(o.box.db, doctor, siti.id);
}, 120_000);
afterAll(async () => {
  await o?.close();
}, 60_000);

const rows = async (page: import('playwright-core').Page) => (await page.getByTestId('audit-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));

describe('the audit page', () => {
  it('rows show people and Indonesian action words; the patient is found by name, NIK or JKN number', async () => {
    const page = await o.login('kepala');
    await page.goto(`${o.box.url}/staff/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    const all = await rows(page);
    expect(all.some((r) => /dr\. Bagus Pratama Membuka data pasien Rahmat Hidayat/.test(r))).toBe(true);
    expect(all.some((r) => /Sari Wulandari Mendaftarkan pasien Siti Aminah/.test(r))).toBe(true);
    for (const r of all) expect(r).not.toMatch(/\b(read|create|update|list)\b/);

    for (const term of ['rahmat', 'Hidayat', nik.slice(0, 8)]) {
      await page.getByTestId('audit-patient').fill(term);
      await page.getByTestId('audit-apply').click();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit-row]')].every((r) => /Rahmat Hidayat/.test(r.textContent ?? '')));
      const found = await rows(page);
      expect(found.length, term).toBe(2);
      expect(found[0]).toMatch(/dr\. Bagus Pratama Membuka data pasien Rahmat Hidayat/);
    }
    await page.getByTestId('audit-patient').fill('0001234567890');
    await page.getByTestId('audit-apply').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit-row]')].every((r) => /Siti Aminah/.test(r.textContent ?? '')));
    await o.shot(page, 'by-jkn');
    expect(await seriousA11y(page)).toEqual([]);
  }, 90_000);

  it('a start after the end is said next to the start field, even one day apart', async () => {
    const page = await o.login('kepala');
    await page.goto(`${o.box.url}/staff/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    for (const [from, to] of [
      ['2026-03-11', '2026-03-10'],
      ['2026-04-01', '2026-03-01'],
    ]) {
      await page.getByTestId('audit-from').fill(from);
      await page.getByTestId('audit-to').fill(to);
      await page.getByTestId('audit-apply').click();
      expect(await page.getByTestId('audit-from-error').innerText()).toMatch(/Tanggal “dari” lebih akhir daripada tanggal “sampai”/);
      expect(await page.getByTestId('audit-row').count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('a-from');
    }
    await o.shot(page, 'range-reversed');
    expect(await seriousA11y(page)).toEqual([]);
    // A right range clears the message and lists today's rows.
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    await page.getByTestId('audit-from').fill(today);
    await page.getByTestId('audit-to').fill(today);
    await page.getByTestId('audit-apply').click();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-from-error').innerText()).toBe('');
    expect(o.problems).toEqual([]);
  }, 90_000);
});
