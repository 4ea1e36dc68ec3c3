/**
 * Issue 17, the day's report in Chromium on a production box (no demo seed), with a month of
 * visits written as the clinic would have left them: the admin picks a day or a range, reads visits
 * by poli, waiting and service times, top diagnoses (LB1), prescriptions and low stock, referrals by
 * hospital, sees the numbers per hour or per day in a uPlot chart served by the box, downloads each
 * table as CSV and prints it (print stylesheet: no form, no buttons). A start after the end is said
 * next to the field. The doctor (head of the puskesmas) may read it, the nurse may not. axe-core: no
 * serious or critical violation. Screenshots in test-artifacts/office/report/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClinicMonth } from './support/clinic-month.ts';
import { seriousA11y, startOfficeBox, type OfficeBox } from './support/office-box.ts';

let o: OfficeBox;

beforeAll(async () => {
  o = await startOfficeBox('report');
  await o.account('kepala', 'Kepala Puskesmas', 'admin');
  await o.account('dokter.bagus', 'dr. Bagus', 'doctor');
  await o.account('ners.sari', 'Ns. Sari', 'nurse');
  await writeClinicMonth(o.box.db, { month: '2025-03', visits: 150, seed: 5 });
}, 120_000);
afterAll(async () => {
  await o?.close();
}, 60_000);

describe('the report page', () => {
  it('a month: every section, a chart per day from the box, CSV per table, printable, accessible', async () => {
    const page = await o.login('kepala');
    const res = await page.goto(`${o.box.url}/staff/laporan?from=2025-03-01&to=2025-03-31`);
    expect(res!.status()).toBe(200);
    expect(await page.getByTestId('report-period').innerText()).toContain('2025-03-01 – 2025-03-31');
    for (const s of ['report-visits', 'report-times', 'report-diagnoses', 'report-prescriptions', 'report-referrals']) await page.getByTestId(s).waitFor();
    // 150 visits over the three polis, as written.
    const visits = await page.locator('[data-testid^=visits-] td:nth-child(7)').allInnerTexts();
    expect(visits.map(Number).reduce((a, b) => a + b, 0)).toBe(150);
    expect(await page.locator('[data-testid^=diagnosis-]').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('report-referrals').innerText()).toMatch(/RS/);
    // The chart: uPlot drew a canvas, one point per day of the range, with words from the page.
    await page.locator('#chart[data-ready="1"] canvas').waitFor();
    expect(await page.locator('#chart .u-legend').innerText()).toMatch(/Diambil[\s\S]*Dilayani/);
    const scripts = await page.locator('script[src]').evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).src));
    for (const s of scripts) expect(new URL(s).origin).toBe(new URL(o.box.url).origin);
    await o.shot(page, 'month-tablet');
    expect(await seriousA11y(page)).toEqual([]);

    // Each table as CSV for Excel (BOM, semicolons), from the link beside it.
    const href = await page.getByTestId('csv-lb1').getAttribute('href');
    expect(href).toBe('/api/v1/reports/2025-03-01..2025-03-31?format=csv&section=lb1');
    const csv = await page.request.get(`${o.box.url}${href}`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const body = await csv.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString('utf8').split('\r\n')[0]).toMatch(/^\uFEFFKode ICD-10;Penyakit;/);

    // Printed: the form and the buttons are not on paper; the tables and the chart are.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('report-form').isVisible()).toBe(false);
    expect(await page.getByTestId('report-print').isVisible()).toBe(false);
    expect(await page.getByTestId('csv-lb1').isVisible()).toBe(false);
    expect(await page.getByTestId('report-visits').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.length).toBeGreaterThan(10_000);
    expect(o.problems).toEqual([]);
  }, 120_000);

  it('a day: the chart counts per hour; on a 360 px phone nothing spills sideways', async () => {
    const page = await o.login('kepala', 'phone');
    await page.goto(`${o.box.url}/staff/laporan?from=2025-03-04&to=2025-03-04`);
    await page.locator('#chart[data-ready="1"] canvas').waitFor();
    expect(await page.locator('#chart .u-legend').innerText()).toMatch(/Jam/);
    const taken = await page.locator('[data-testid^=visits-] td:nth-child(2)').allInnerTexts();
    expect(taken.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await o.shot(page, 'day-phone');
    expect(await seriousA11y(page)).toEqual([]);
  }, 60_000);

  it('a start after the end is said next to the field, not an empty report', async () => {
    const page = await o.login('kepala');
    await page.goto(`${o.box.url}/staff/laporan`);
    await page.getByTestId('report-from').fill('2025-03-20');
    await page.getByTestId('report-to').fill('2025-03-02');
    await page.getByTestId('report-show').click();
    await page.waitForURL(/from=2025-03-20/);
    const problem = page.getByTestId('report-problem');
    expect(await problem.innerText()).toMatch(/lebih akhir daripada tanggal “sampai”/);
    expect(await page.getByTestId('report-from').getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    expect(await page.getByTestId('report-visits').count()).toBe(0);
    await o.shot(page, 'range-reversed');
    expect(await seriousA11y(page)).toEqual([]);
  }, 60_000);

  it('the doctor (head of the puskesmas) reads it; the nurse may not', async () => {
    const doctor = await o.login('dokter.bagus');
    expect((await doctor.goto(`${o.box.url}/staff/laporan?from=2025-03-04&to=2025-03-04`))!.status()).toBe(200);
    expect(await doctor.getByTestId('tile-laporan').count()).toBe(0);
    await doctor.goto(`${o.box.url}/staff`);
    expect(await doctor.getByTestId('tile-laporan').count()).toBe(1);
    const nurse = await o.login('ners.sari');
    expect((await nurse.goto(`${o.box.url}/staff/laporan`))!.status()).toBe(403);
  }, 60_000);
});
