/**
 * Issue 17, the clinic day on the doctor's, nurse's and pharmacist's screens, in real headless
 * Chromium (playwright-core → /usr/bin/chromium or CHROMIUM_PATH) on a demo box: tablets at
 * 1280×800, phones at 360 px. Each test sets up its own tickets (through the box's queue), so they
 * run alone or together. Screenshots land in test-artifacts/clinic-visit/ (gitignored).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { demoStaff } from '../appliance/clinic/demo.ts';
import type { Role } from '../appliance/clinic/staff.ts';
import { chromiumPath } from './support/chromium.ts';
import { openEncounter } from '../appliance/clinic/encounters.ts';
import { dispensePrescription, issuePrescription, recordStockReceipt } from '../appliance/clinic/prescriptions.ts';

/** axe-core over the page as it is: its serious and critical violations (none expected). */
async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/clinic-visit/', import.meta.url));
const UI_TIMEOUT = 20_000;

let box: Box;
let dataDir: string | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function newPage(who: string, device: 'phone' | 'tablet' | 'tv', opts: { locale?: string; javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const viewport = device === 'phone' ? { width: 360, height: 740 } : device === 'tv' ? { width: 1920, height: 1080 } : { width: 1280, height: 800 };
  const ctx = await browser!.newContext({
    ignoreHTTPSErrors: true,
    locale: opts.locale ?? 'id-ID',
    timezoneId: 'Asia/Jakarta',
    viewport,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    ...(device === 'phone' ? { isMobile: true, hasTouch: true } : {}),
  });
  ctx.setDefaultTimeout(UI_TIMEOUT);
  ctx.setDefaultNavigationTimeout(UI_TIMEOUT);
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`${who}: uncaught ${e.message}`));
  return page;
}

async function staffPage(role: Role, path: string): Promise<Page> {
  const page = await newPage(role, 'tablet');
  const staff = demoStaff.find((s) => s.role === role)!;
  const res = await page.request.post(`${box.url}/api/v1/auth/login`, { data: { username: staff.username, password: staff.password } });
  expect(res.status()).toBe(200);
  await page.goto(`${box.url}${path}`);
  return page;
}

const nurseActor = async () => {
  const { rows } = await box.db.query<{ id: string }>(`SELECT id FROM staff WHERE username = 'perawat'`);
  return { staffId: rows[0].id, role: 'nurse' as const, name: 'Ns. Dewi Lestari', device: 'test' };
};

/** A desk ticket for the demo patient (or another), waiting in Poli Umum. */
async function deskTicket(patientId: string = demoIds.patient, poli = 'umum') {
  const { ticket, token } = await box.queue.take({ poli, source: 'desk', patientId }, await nurseActor());
  return { id: ticket.id, label: ticket.label, token };
}

describe('the clinic day on the staff tablets (issue 17)', () => {
  beforeAll(async () => {
    const executablePath = chromiumPath();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'simpul-visit-'));
    const config = configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1', logLevel: 'warn' });
    box = await startBox(config, { log: pino({ level: 'silent' }) });
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await box?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  }, 120_000);

  it('defect 2: the examination page calls to the room chosen on this tablet; the TV and the phone show that room', async () => {
    const t = await deskTicket();
    const phone = await newPage('phone', 'phone');
    await phone.goto(`${box.url}/t/${t.token}`);
    await phone.locator('[data-testid=conn-state].on').waitFor();
    const tv = await newPage('tv', 'tv');
    await tv.goto(`${box.url}/layar`);

    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').click();
    await doctor.getByTestId('exam-room').selectOption('Ruang 2');
    // Remembered on this tablet: a reload keeps the room.
    await doctor.reload();
    await expect.poll(() => doctor.getByTestId('exam-room').inputValue()).toBe('Ruang 2');

    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });
    const called = await box.queue.get(t.id);
    expect(called.room).toBe('Ruang 2');
    await expect.poll(() => tv.locator('#now-label').innerText()).toBe(t.label);
    expect(await tv.locator('#now-where').innerText()).toContain('Ruang 2');
    await expect.poll(() => phone.getByTestId('ticket-called').innerText()).toContain('Ruang 2');
    await shot(doctor, 'defect2-doctor');
    await shot(tv, 'defect2-tv');
    await shot(phone, 'defect2-phone');

    // "Panggil berikutnya" on the examination page calls to the same room.
    await deskTicket();
    await doctor.getByTestId('exam-call-next').click();
    await expect.poll(() => doctor.locator('#queue-msg').innerText()).toMatch(/^[A-C]-\d{3} dipanggil ke Ruang 2$/);
    const label = (await doctor.locator('#queue-msg').innerText()).split(' ')[0];
    const { rows } = await box.db.query<{ room: string }>(`SELECT room FROM queue_tickets WHERE label = $1 AND day = $2`, [label, box.queue.today()]);
    expect(rows[0].room).toBe('Ruang 2');
  }, 120_000);

  it('defect 3: switching an open visit to video reaches the patient’s phone at once', async () => {
    const t = await deskTicket();
    const phone = await newPage('phone', 'phone');
    await phone.goto(`${box.url}/t/${t.token}`);
    await phone.locator('[data-testid=conn-state].on').waitFor();
    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').click();
    await doctor.getByTestId('exam-mode-new').selectOption('in_person');
    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });
    await expect.poll(() => phone.locator('[data-testid=ticket-status]').getAttribute('class')).toContain('st-serving');
    expect(await phone.getByTestId('consent-give').count()).toBe(0);

    await doctor.getByTestId('encounter-mode').selectOption('audio_visual');
    // The page's own refresh comes after two minutes: the prompt must come well before.
    await phone.getByTestId('consent-give').waitFor({ state: 'visible', timeout: 10_000 });
    await shot(phone, 'defect3-phone-consent');
    const { rows } = await box.db.query<{ mode: string }>(`SELECT mode FROM encounters WHERE ticket_id = $1`, [t.id]);
    expect(rows[0].mode).toBe('audio_visual');
  }, 120_000);

  it('defect 4: wrong values do not vanish; more than the stock warns at prescribing; the pharmacist hands out part, the rest owed', async () => {
    const t = await deskTicket();
    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').click();
    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });

    await doctor.getByTestId('vital-systolic').fill('abc');
    await doctor.getByTestId('vital-diastolic').fill('80');
    await doctor.getByTestId('encounter-save').click();
    const err = doctor.getByTestId('vital-err-systolic');
    await expect.poll(() => err.innerText()).toMatch(/angka/);
    expect(await doctor.getByTestId('encounter-msg').innerText()).not.toMatch(/Tersimpan/);
    expect(await doctor.getByTestId('vital-systolic').inputValue()).toBe('abc');
    expect(await doctor.getByTestId('vital-systolic').getAttribute('aria-invalid')).toBe('true');
    await shot(doctor, 'defect4-vital-refused');
    // Corrected, it saves and the message next to the field goes.
    await doctor.getByTestId('vital-systolic').fill('120');
    await doctor.getByTestId('encounter-save').click();
    await expect.poll(() => doctor.getByTestId('encounter-msg').innerText()).toMatch(/Tersimpan/);
    expect(await err.innerText()).toBe('');

    await doctor.getByTestId('formulary-search').fill('Salep');
    await doctor.getByTestId('formulary-result').filter({ hasText: 'Salep 2-4' }).getByTestId('formulary-add').click();
    const item = doctor.getByTestId('rx-item');
    await item.getByTestId('rx-signa').fill('oles 2 x sehari');
    await item.getByTestId('rx-quantity').fill('100');
    await item.getByTestId('rx-days').fill('7');
    await expect.poll(() => item.getByTestId('rx-over-stock').innerText()).toContain('Melebihi stok (40 tube)');
    await shot(doctor, 'defect4-over-stock');
    await doctor.getByTestId('rx-issue').click();
    await doctor.getByTestId('rx-issued').waitFor();

    const pharmacist = await staffPage('pharmacist', '/staff/farmasi');
    const card = pharmacist.getByTestId(`rx-card-${t.label}`);
    await card.getByTestId('rx-dispense-partial').click();
    await expect.poll(() => pharmacist.getByTestId('pharmacy-msg').innerText()).toContain('diserahkan sebagian');
    await pharmacist.getByTestId('rx-tab-dispensed').click();
    await expect.poll(() => pharmacist.getByTestId(`rx-card-${t.label}`).getByTestId('rx-owed').innerText()).toContain('diutang 60 tube');
    await shot(pharmacist, 'defect4-partial-dispense');
    const { rows } = await box.db.query<{ quantity: number; dispensed_quantity: number; stock: number }>(
      `SELECT i.quantity, i.dispensed_quantity, f.stock FROM prescription_items i JOIN prescriptions p ON p.id = i.prescription_id
        JOIN encounters e ON e.id = p.encounter_id JOIN formulary f ON f.id = i.formulary_id WHERE e.ticket_id = $1`,
      [t.id],
    );
    expect(rows).toEqual([{ quantity: 100, dispensed_quantity: 40, stock: 0 }]);
    // The doctor's view of the visit says what is owed too.
    await doctor.reload();
    await expect.poll(() => doctor.getByTestId('rx-issued').innerText()).toContain('diutang 60 tube');
  }, 120_000);

  it('the rest owed is handed out later, once stock has come: listed as owed, refused beside the medicine while short', async () => {
    const actorOf = async (username: string, role: 'doctor' | 'pharmacist') => {
      const { rows } = await box.db.query<{ id: string; full_name: string }>(`SELECT id, full_name FROM staff WHERE username = $1`, [username]);
      return { staffId: rows[0].id, role, name: rows[0].full_name, device: 'test' };
    };
    const doctor = await actorOf('dokter', 'doctor');
    const pharmacistActor = await actorOf('apoteker', 'pharmacist');
    const t = await deskTicket();
    const enc = await openEncounter(box.db, box.queue, doctor, { ticketId: t.id, mode: 'in_person', room: 'Ruang 1' });
    const medicine = randomUUID();
    await box.db.query(`INSERT INTO formulary (id, name, strength, form, unit, stock) VALUES ($1,'Obat Sisa','10 mg','tablet','tablet',4)`, [medicine]);
    const rx = await issuePrescription(box.db, doctor, { encounterId: enc.id, items: [{ formularyId: medicine, signa: '2 x 1', quantity: 10, days: 5 }] });
    await dispensePrescription(box.db, pharmacistActor, rx.id, { partial: true });

    const pharmacist = await staffPage('pharmacist', '/staff/farmasi');
    await pharmacist.getByTestId('rx-tab-owed').click();
    const card = pharmacist.getByTestId(`rx-card-${t.label}`);
    await expect.poll(() => card.getByTestId('rx-owed').innerText()).toContain('diutang 6 tablet');
    expect(await card.innerText()).toContain('stok 0');
    // Still short: said beside the medicine, in Bahasa Indonesia, with what to do; nothing handed out.
    await card.getByTestId('rx-dispense-owed').click();
    const beside = card.getByTestId('rx-line-error');
    await expect.poll(() => beside.innerText()).toBe('Stok Obat Sisa 10 mg tidak cukup: perlu 6 tablet, tersedia 0. Kurangi jumlah atau catat penerimaan stok dulu.');
    await shot(pharmacist, 'owed-still-short');
    expect(await seriousViolations(pharmacist)).toEqual([]);

    // The delivery comes; the rest goes out and the prescription leaves the owed list.
    await recordStockReceipt(box.db, pharmacistActor, medicine, { quantity: 20, reason: 'kiriman Dinkes' });
    await card.getByTestId('rx-dispense-owed').click();
    await expect.poll(() => pharmacist.getByTestId('pharmacy-msg').innerText()).toBe(`Sisa obat ${t.label} sudah diserahkan.`);
    await card.waitFor({ state: 'detached' });
    const { rows } = await box.db.query<{ dispensed_quantity: number; stock: number }>(
      `SELECT i.dispensed_quantity, f.stock FROM prescription_items i JOIN formulary f ON f.id = i.formulary_id WHERE i.prescription_id = $1`,
      [rx.id],
    );
    expect(rows).toEqual([{ dispensed_quantity: 10, stock: 14 }]);
    await shot(pharmacist, 'owed-handed-out');
  }, 120_000);

  it('defect 6: the doctor’s queue, the visit header and a new nurse session show who the patient is (NIK masked, allergies)', async () => {
    const t = await deskTicket();
    const { rows } = await box.db.query<{ nik: string | null }>(`SELECT nik FROM patients WHERE id = $1`, [demoIds.patient]);
    const nik = rows[0].nik!;
    expect(nik).toMatch(/^\d{16}$/);

    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').click();
    const row = doctor.getByTestId(`exam-row-${t.label}`);
    await expect.poll(() => row.getByTestId('who-name').innerText()).toBe('Budi Santoso');
    const line = await row.getByTestId('who-line').innerText();
    expect(line).toMatch(/^\d+ th · Laki-laki · NIK ••••\d{4}$/);
    expect(line).toContain(nik.slice(-4));
    expect(await row.innerText()).not.toContain(nik.slice(0, 12));
    expect(await row.getByTestId('who-allergies').innerText()).toContain('Amoksisilin');
    await shot(doctor, 'defect6-doctor-queue');

    await row.getByTestId('exam-open').click();
    const header = doctor.getByTestId('encounter-who');
    await expect.poll(() => header.getByTestId('who-line').innerText()).toContain(`NIK ••••${nik.slice(-4)}`);
    expect(await header.getByTestId('who-allergies').innerText()).toContain('Amoksisilin');
    await shot(doctor, 'defect6-visit-header');

    // A nurse on another tablet, who did not link the patient, sees the name too.
    const nurse = await staffPage('nurse', '/staff/antrean');
    await nurse.getByTestId('poli-tab-umum').click();
    await expect.poll(() => nurse.getByTestId(`ticket-row-${t.label}`).getByTestId('who-name').innerText()).toBe('Budi Santoso');
    await shot(nurse, 'defect6-nurse-board');
  }, 120_000);

  it('the visit shows the patient’s history (visits, diagnoses, medicines, BP and weight chart by uPlot from the box, allergies, referrals) and the nurse’s triage vitals', async () => {
    // Two past visits of the demo patient, a month apart, with blood pressure and weight.
    const doctorId = (await box.db.query<{ id: string }>(`SELECT id FROM staff WHERE username = 'dokter'`)).rows[0].id;
    for (const [daysAgo, sys, dia, kg] of [
      [90, 160, 100, 72],
      [30, 145, 92, 70.5],
    ] as const) {
      await box.db.query(
        `INSERT INTO encounters (id, patient_id, doctor_id, poli, mode, status, vitals, diagnoses, opened_at, closed_at)
         VALUES (gen_random_uuid(), $1, $2, 'umum', 'in_person', 'closed', $3, $4, now() - make_interval(days => $5), now() - make_interval(days => $5))`,
        [
          demoIds.patient,
          doctorId,
          JSON.stringify({ systolic: sys, diastolic: dia, weight: kg }),
          JSON.stringify([{ code: 'I10', name: 'Hipertensi esensial (primer)', kind: 'primary' }]),
          daysAgo,
        ],
      );
    }
    const t = await deskTicket();

    // The nurse takes the vitals at triage, on her board; a wrong value is refused next to its field.
    const nurse = await staffPage('nurse', '/staff/antrean');
    await nurse.getByTestId('poli-tab-umum').click();
    await nurse.getByTestId(`ticket-row-${t.label}`).getByTestId('act-vitals').click();
    await nurse.getByTestId('triage-form').waitFor({ state: 'visible' });
    await nurse.getByTestId('triage-systolic').fill('150');
    await nurse.getByTestId('triage-diastolic').fill('95');
    await nurse.getByTestId('triage-pulse').fill('abc');
    await nurse.getByTestId('triage-weight').fill('71,5');
    await nurse.getByTestId('triage-save').click();
    await expect.poll(() => nurse.locator('#tr-err-pulse').innerText()).toMatch(/angka/);
    await nurse.getByTestId('triage-pulse').fill('88');
    await nurse.getByTestId('triage-save').click();
    await expect.poll(() => nurse.getByTestId('triage-msg').innerText()).toContain('tersimpan');
    await shot(nurse, 'history-nurse-triage');

    const requests: string[] = [];
    const doctor = await newPage('doctor', 'tablet');
    doctor.on('request', (r) => requests.push(r.url()));
    const res = await doctor.request.post(`${box.url}/api/v1/auth/login`, { data: { username: 'dokter', password: 'demo-dokter-123' } });
    expect(res.status()).toBe(200);
    await doctor.goto(`${box.url}/staff/pemeriksaan`);
    await doctor.getByTestId('exam-poli-umum').click();
    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });

    const triage = doctor.getByTestId('triage-vitals');
    await triage.waitFor({ state: 'visible' });
    expect(await triage.innerText()).toMatch(/Ns\. Dewi Lestari.*Sistolik \(mmHg\) 150.*Diastolik \(mmHg\) 95.*Nadi \(\/menit\) 88.*Berat \(kg\) 71\.5/);
    expect(await doctor.getByTestId('vital-systolic').inputValue()).toBe('150');

    const visits = doctor.getByTestId('history-visit');
    await expect.poll(() => visits.count()).toBeGreaterThanOrEqual(2);
    const all = await doctor.getByTestId('history-visits').innerText();
    expect(all).toContain('I10');
    expect(all).toContain('Tekanan darah 160/100 mmHg');
    expect(all).toMatch(/\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}/);
    // The demo visit's prescription is among the medicines.
    expect(all).toContain('Parasetamol');
    expect(await doctor.getByTestId('history-allergies').innerText()).toContain('Amoksisilin');
    await doctor.locator('[data-testid=history-chart] .uplot canvas').waitFor();
    await doctor.getByTestId('patient-history').screenshot({ path: join(ARTIFACTS, 'history-chart.png') });
    await shot(doctor, 'history-visit');
    expect(requests.filter((u) => !u.startsWith(box.url))).toEqual([]);
  }, 120_000);

  it('the history sits after the visit header and arrives without moving the page, the fields or the focus', async () => {
    const t = await deskTicket();
    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    // The history and the triage vitals held back until the doctor is at work further down.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    for (const url of ['**/api/v1/patients/*/history*', '**/api/v1/queue/tickets/*/vitals'])
      await doctor.route(url, async (route) => {
        await held;
        await route.continue();
      });
    await doctor.getByTestId('exam-poli-umum').click();
    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });
    const placed = await doctor.evaluate(() => {
      const q = (id: string) => document.querySelector(`[data-testid=${id}]`)!;
      const follows = (a: Element, b: Element) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      return [follows(q('encounter-patient'), q('patient-history')), follows(q('patient-history'), q('vital-systolic'))];
    });
    expect(placed).toEqual([true, true]);

    await doctor.getByTestId('vital-systolic').click();
    await doctor.evaluate(() => window.scrollTo(0, 500));
    const where = () =>
      doctor.evaluate(() => ({
        scrollY: Math.round(window.scrollY),
        vitalsTop: Math.round(document.querySelector('[data-testid=vital-systolic]')!.getBoundingClientRect().top),
        drugSearchTop: Math.round(document.querySelector('[data-testid=formulary-search]')!.getBoundingClientRect().top),
        historyHeight: Math.round(document.querySelector('[data-testid=patient-history]')!.getBoundingClientRect().height),
        focused: document.activeElement?.getAttribute('data-testid') ?? null,
      }));
    const before = await where();
    expect(before.scrollY).toBe(500);
    expect(await doctor.locator('#hist-visits').innerText()).toBe('');
    release();
    await doctor.waitForFunction(() => document.querySelector('#hist-visits')!.childElementCount > 0 && !!document.querySelector('#hist-chart')!.firstChild);
    await doctor.getByTestId('triage-vitals').waitFor({ state: 'attached' });
    // Let a frame pass after the chart is drawn: any shift would have happened by then.
    await doctor.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await where()).toEqual(before);
    await shot(doctor, 'history-arrived-no-jump');
    expect(await seriousViolations(doctor)).toEqual([]);
  }, 120_000);

  it('defect 7: the A5 referral letter prints on one page, numbered for people, not by its 36-character id', async () => {
    const doctor = await staffPage('doctor', `/staff/rujukan/${demoIds.referral}/cetak`);
    const pages = async () => {
      await doctor.reload();
      await doctor.getByTestId('referral-letter').waitFor();
      await doctor.emulateMedia({ media: 'print' });
      const pdf = await doctor.pdf({ preferCSSPageSize: true, printBackground: true });
      await doctor.emulateMedia({ media: 'screen' });
      return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    };
    expect(await pages()).toBe(1);
    const number = await doctor.getByTestId('referral-number').innerText();
    expect(number).toMatch(/^Nomor: \S+\/RJK\/\d{8}\/\d{3}$/);
    expect(number).not.toContain(demoIds.referral);
    await shot(doctor, 'defect7-letter');

    // An ordinary visit's notes (a few lines each, three medicines, a secondary diagnosis) still fit.
    const line = 'Keluhan nyeri dada kiri menjalar ke lengan sejak dua hari, memberat saat aktivitas, disertai sesak dan keringat dingin. ';
    await box.db.query(`UPDATE encounters SET subjective = $2, objective = $3, diagnoses = $4 WHERE id = $1`, [
      demoIds.encounter,
      line.repeat(3),
      'Tampak sakit sedang, ronki basah halus di kedua basal paru, edema tungkai minimal. '.repeat(2),
      JSON.stringify([
        { code: 'J06.9', name: 'Infeksi saluran pernapasan atas akut, tidak spesifik', kind: 'primary' },
        { code: 'I10', name: 'Hipertensi esensial (primer)', kind: 'secondary' },
      ]),
    ]);
    await box.db.query(`UPDATE referrals SET reason = $2 WHERE id = $1`, [demoIds.referral, line.repeat(3)]);
    expect(await pages()).toBe(1);
    await shot(doctor, 'defect7-letter-long');
  }, 120_000);

  it('defect 9: keyboard and screen readers on the examination, pharmacy and queue pages', async () => {
    const t = await deskTicket();
    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').waitFor();
    // A skip link is the first thing Tab reaches, and it lands on the page's content.
    await doctor.keyboard.press('Tab');
    expect(await doctor.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-link');
    await doctor.keyboard.press('Enter');
    await expect.poll(() => doctor.evaluate(() => document.activeElement?.id)).toBe('main');
    // The poli tabs are tabs: a tablist, arrow keys move between them.
    expect(await doctor.getByRole('tablist').count()).toBe(1);
    await doctor.getByRole('tab', { name: 'Poli Umum' }).focus();
    await doctor.keyboard.press('ArrowRight');
    await expect.poll(() => doctor.getByRole('tab', { name: 'Poli Gigi' }).getAttribute('aria-selected')).toBe('true');
    await doctor.keyboard.press('ArrowLeft');
    await expect.poll(() => doctor.getByRole('tab', { name: 'Poli Umum' }).getAttribute('aria-selected')).toBe('true');
    await doctor.getByTestId(`exam-row-${t.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });
    const examAxe = await new AxeBuilder({ page: doctor }).analyze();
    const serious = (r: typeof examAxe) =>
      r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious(examAxe)).toEqual([]);

    const pharmacist = await staffPage('pharmacist', '/staff/farmasi');
    await pharmacist.getByTestId('pharmacy-list').waitFor();
    expect(await pharmacist.getByRole('tablist').count()).toBe(1);
    expect(await pharmacist.getByRole('tab').count()).toBe(4);
    expect(serious(await new AxeBuilder({ page: pharmacist }).analyze())).toEqual([]);

    // "Panggil berikutnya" keeps the nurse in the list: focus goes to the called number's row.
    const nurse = await staffPage('nurse', '/staff/antrean');
    await nurse.getByTestId('poli-tab-umum').click();
    await nurse.getByTestId('call-next').focus();
    await nurse.keyboard.press('Enter');
    await expect.poll(() => nurse.getByTestId('board-msg').innerText()).toMatch(/dipanggil ke/);
    const called = (await nurse.getByTestId('board-msg').innerText()).split(' ')[0];
    await expect.poll(() => nurse.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-label') ?? document.activeElement?.tagName)).toBe(called);
  }, 120_000);

  it('shortcut keys: N calls the next patient, / goes to the search, never while typing; the page says so ("Pintasan")', async () => {
    await deskTicket();
    const mine = await deskTicket();
    // Calls made so far, over the whole box: a shortcut that fired while typing would add one.
    const calls = async () => (await box.db.query<{ n: number }>(`SELECT coalesce(sum(call_count), 0)::int AS n FROM queue_tickets`)).rows[0].n;
    const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

    const nurse = await staffPage('nurse', '/staff/antrean');
    await nurse.getByTestId('poli-tab-umum').click();
    expect(await nurse.getByTestId('shortcut-hint').innerText()).toBe('Pintasan: N panggil berikutnya · / cari pasien (tidak berlaku saat mengetik)');
    expect(await nurse.getByTestId('call-next').getAttribute('aria-keyshortcuts')).toBe('n');
    expect(await nurse.getByTestId('patient-search').getAttribute('aria-keyshortcuts')).toBe('/');
    // Typing an "n" (and a "/") into the search is typing, not a call.
    const before = await calls();
    await nurse.getByTestId('patient-search').pressSequentially('n/n');
    expect(await nurse.getByTestId('patient-search').inputValue()).toBe('n/n');
    await nurse.getByTestId('register-details').locator('summary').click();
    await nurse.getByTestId('register-fullName').pressSequentially('Nani');
    expect(await calls()).toBe(before);
    expect(await nurse.getByTestId('board-msg').isHidden()).toBe(true);
    await nurse.getByTestId('patient-search').fill('');
    // Outside a field: N calls the next, / moves to the search without typing a "/".
    await blur(nurse);
    await nurse.keyboard.press('n');
    await expect.poll(() => nurse.getByTestId('board-msg').innerText()).toMatch(/^[A-C]-\d{3} dipanggil ke Ruang \d$/);
    expect(await calls()).toBe(before + 1);
    await blur(nurse);
    await nurse.keyboard.press('/');
    await expect.poll(() => focused(nurse)).toBe('patient-search');
    expect(await nurse.getByTestId('patient-search').inputValue()).toBe('');
    // With a modifier it is the browser's key, not ours.
    await blur(nurse);
    await nurse.keyboard.press('Control+n').catch(() => undefined);
    expect(await calls()).toBe(before + 1);
    await shot(nurse, 'shortcuts-nurse-board');
    expect(await seriousViolations(nurse)).toEqual([]);

    const doctor = await staffPage('doctor', '/staff/pemeriksaan');
    await doctor.getByTestId('exam-poli-umum').click();
    expect(await doctor.getByTestId('shortcut-hint').innerText()).toBe('Pintasan: N panggil berikutnya · / cari diagnosis (pemeriksaan terbuka) (tidak berlaku saat mengetik)');
    expect(await doctor.getByTestId('exam-call-next').getAttribute('aria-keyshortcuts')).toBe('n');
    expect(await doctor.getByTestId('icd10-search').getAttribute('aria-keyshortcuts')).toBe('/');
    await blur(doctor);
    await doctor.keyboard.press('n');
    await expect.poll(() => doctor.locator('#queue-msg').innerText()).toMatch(/^[A-C]-\d{3} dipanggil ke Ruang \d$/);
    expect(await calls()).toBe(before + 2);
    // (Whoever N called may have no patient linked yet: the visit opened is one that has.)
    await doctor.getByTestId(`exam-row-${mine.label}`).getByTestId('exam-open').click();
    await doctor.getByTestId('encounter').waitFor({ state: 'visible' });
    const afterOpen = await calls();
    await doctor.getByTestId('soap-subjective').pressSequentially('nyeri n/');
    expect(await doctor.getByTestId('soap-subjective').inputValue()).toBe('nyeri n/');
    expect(await calls()).toBe(afterOpen);
    await blur(doctor);
    await doctor.keyboard.press('/');
    await expect.poll(() => focused(doctor)).toBe('icd10-search');
    expect(await doctor.getByTestId('icd10-search').inputValue()).toBe('');
    await shot(doctor, 'shortcuts-examination');
    expect(await seriousViolations(doctor)).toEqual([]);
  }, 150_000);

  it('defect 10 on the phone: no endless "menyambung ulang" without JavaScript, dates in Indonesian, /ambil in Bahasa Indonesia unless English was chosen', async () => {
    // Without JavaScript the page cannot be live: it says to reload, not that it is reconnecting.
    const t = await deskTicket();
    const plain = await newPage('phone-nojs', 'phone', { javaScriptEnabled: false });
    await plain.goto(`${box.url}/t/${t.token}`);
    expect(await plain.getByTestId('conn-state').isVisible()).toBe(false);
    expect(await plain.getByTestId('no-live').innerText()).toMatch(/muat ulang/);
    expect(await plain.locator('body').innerText()).not.toContain('menyambung ulang');
    expect(await plain.getByTestId('documents').isVisible()).toBe(false);
    expect(await plain.getByTestId('enable-sound').isVisible()).toBe(false);
    await shot(plain, 'defect10-ticket-no-js');

    // The referral's validity on the phone is a date people read, not 2026-03-01.
    await box.db.query(`UPDATE referrals SET status = 'issued' WHERE id = $1`, [demoIds.referral]);
    const phone = await newPage('phone', 'phone');
    await phone.goto(`${box.url}/t/${demoIds.ticketToken}`);
    const docs = phone.getByTestId('documents');
    await expect.poll(() => docs.innerText()).toMatch(/\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}/);
    expect(await docs.innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    await shot(phone, 'defect10-phone-dates');

    // A phone whose browser prefers English still opens /ambil in Bahasa Indonesia; the switch chooses English.
    const english = await newPage('phone-en', 'phone', { locale: 'en-US' });
    await english.goto(`${box.url}/ambil`);
    expect(await english.locator('html').getAttribute('lang')).toBe('id');
    await english.getByTestId('lang-switch').click();
    await expect.poll(() => english.locator('html').getAttribute('lang')).toBe('en');
    await english.goto(`${box.url}/ambil`);
    expect(await english.locator('html').getAttribute('lang')).toBe('en');
  }, 120_000);
});
