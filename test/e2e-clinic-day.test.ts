/**
 * Issue 3's end-to-end proof: one patient's clinic day on a real box, driven through real headless
 * Chromium (playwright-core → /usr/bin/chromium or CHROMIUM_PATH, installed by .ci/run; missing, the test fails).
 *
 * A patient takes a number on a phone-sized page; on tablet-sized pages the nurse attaches a
 * registered patient to the ticket and calls it (the phone shows the call live, over SSE, without a
 * reload); the doctor opens the encounter from the queue, records vitals, notes and an ICD-10
 * diagnosis, prescribes, refers and closes it; the pharmacist dispenses; the phone shows the
 * prescription and the referral copy, whose letter names the patient and the hospital. Each step is
 * also checked in the JSON API or the database, outbox included.
 *
 * Screenshots of every step land in test-artifacts/e2e/ (gitignored), named by step.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { chromiumPath } from './support/chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/e2e/', import.meta.url));
/** Longest wait for one thing to appear on a page; the whole flow takes a few seconds. */
const UI_TIMEOUT = 20_000;

const PATIENT = 'Budi Santoso';
const HOSPITAL = 'RSUD Demo Kabupaten';
const SPECIALTY = 'Penyakit Dalam';
const ICD = 'J06.9';
const ROOM = 'Ruang 2';

let box: Box | undefined;
let dataDir: string | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pages: Record<string, Page> = {};
/** Problems seen in the pages' scripts and in the box's log; the flow must end with none. */
const pageProblems: string[] = [];
const boxErrors: string[] = [];

let shotNo = 0;
async function shot(page: Page, name: string) {
  shotNo += 1;
  await page.screenshot({ path: join(ARTIFACTS, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function newPage(who: string, device: 'phone' | 'tablet'): Promise<Page> {
  const ctx = await browser!.newContext({
    ignoreHTTPSErrors: true,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
    ...(device === 'phone' ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 800 } }),
  });
  ctx.setDefaultTimeout(UI_TIMEOUT);
  ctx.setDefaultNavigationTimeout(UI_TIMEOUT);
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageProblems.push(`${who}: uncaught ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageProblems.push(`${who}: console ${m.text()} (${m.location().url})`);
  });
  pages[who] = page;
  return page;
}

async function staffLogin(who: string, username: string, password: string, next: string): Promise<Page> {
  const page = await newPage(who, 'tablet');
  await page.goto(`${box!.url}/staff/login?next=${encodeURIComponent(next)}`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === next);
  return page;
}

/** The patient's ticket shows a state (its pill's class) in words (Bahasa Indonesia, never the raw status). */
async function ticketStatus(phone: Page, status: string, words: RegExp) {
  const pill = phone.locator(`[data-testid=ticket-status].st-${status}`);
  await pill.waitFor();
  expect(await pill.innerText()).toMatch(words);
}

/** Steps run in order and share the state below; after a failed step the rest are skipped. */
let broken = false;
function step(name: string, fn: () => Promise<void>) {
  it(name, async (ctx) => {
    if (broken) ctx.skip();
    try {
      await fn();
    } catch (e) {
      broken = true;
      // What the pages said helps more than the matcher's timeout.
      if (e instanceof Error && pageProblems.length) e.message += `\npage problems:\n${pageProblems.join('\n')}`;
      for (const [who, p] of Object.entries(pages)) {
        await p.screenshot({ path: join(ARTIFACTS, `failed-${who}.png`), fullPage: true }).catch(() => undefined);
      }
      throw e;
    }
  }, 120_000);
}

// What the steps learn, for the later ones.
let token = '';
let label = '';
let ticketId = '';
let encounterId = '';

describe('a clinic day in Chromium: number → call → encounter → prescription + referral → dispense → patient’s copy', () => {
  beforeAll(async () => {
    const executablePath = chromiumPath();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'simpul-e2e-'));
    const log = pino(
      { level: 'warn', base: { part: 'appliance' } },
      {
        write: (line: string) => {
          if (JSON.parse(line).level >= 50) boxErrors.push(line);
          process.stderr.write(line);
        },
      },
    );
    const config = configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1', logLevel: 'warn' });
    box = await startBox(config, { log });
    expect(box.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
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
  }, 180_000);

  step('1. patient takes a number for Poli Umum on a phone', async () => {
    const phone = await newPage('phone', 'phone');
    await phone.goto(`${box!.url}/ambil`);
    await shot(phone, 'phone-ambil');
    await phone.getByTestId('ambil-umum').click();
    await phone.waitForURL(/\/t\/[A-Za-z0-9_-]{20,64}$/);
    token = new URL(phone.url()).pathname.split('/').pop()!;

    label = (await phone.getByTestId('ticket-label').innerText()).trim();
    expect(label).toMatch(/^A-\d{3}$/);
    await expect.poll(() => phone.getByTestId('ticket-poli').innerText()).toBe('Poli Umum');
    await ticketStatus(phone, 'waiting', /menunggu/i);
    // The live stream is up before anyone calls; the page must not reload from here on.
    await phone.locator('[data-testid=conn-state].on').waitFor();
    await phone.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await expect.poll(() => phone.getByTestId('documents').innerText()).toContain('Belum ada dokumen');
    await shot(phone, 'phone-ticket-waiting');

    const { rows } = await box!.db.query<{ id: string; label: string; status: string; source: string; patient_id: string | null }>(
      `SELECT id, label, status, source, patient_id FROM queue_tickets WHERE label = $1 AND day = (SELECT max(day) FROM queue_tickets)`,
      [label],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ label, status: 'waiting', source: 'phone', patient_id: null });
    ticketId = rows[0].id;
  });

  step('2. nurse attaches a registered patient to the ticket and calls it; the phone shows the call live', async () => {
    const nurse = await staffLogin('nurse', 'perawat', 'demo-perawat-123', '/staff/antrean');
    await nurse.getByTestId('poli-tab-umum').click();
    const row = nurse.getByTestId(`ticket-row-${label}`);
    await expect.poll(() => row.getByTestId('row-status').innerText()).toBe('Menunggu');
    await shot(nurse, 'nurse-antrean');

    await row.getByTestId('act-attach').click();
    await nurse.getByTestId('patient-search').fill('Budi');
    const result = nurse.getByTestId('patient-result').filter({ hasText: PATIENT });
    await result.waitFor();
    await shot(nurse, 'nurse-patient-search');
    await result.getByTestId('patient-choose').click();
    await row.locator('td', { hasText: PATIENT }).waitFor();
    await expect.poll(() => nurse.getByTestId('board-msg').innerText()).toContain(PATIENT);

    await nurse.getByTestId('room-select').selectOption(ROOM);
    await row.getByTestId('act-call').click();
    await expect.poll(() => row.getByTestId('row-status').innerText()).toBe('Dipanggil');
    await expect.poll(() => nurse.getByTestId('board-msg').innerText()).toBe(`${label} dipanggil ke ${ROOM}`);
    await shot(nurse, 'nurse-called');

    const phone = pages.phone;
    const called = phone.getByTestId('ticket-called');
    await called.waitFor({ state: 'visible' });
    expect(await called.innerText()).toMatch(new RegExp(`dipanggil.*${ROOM}`, 'i'));
    await ticketStatus(phone, 'called', /dipanggil/i);
    expect(await phone.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await shot(phone, 'phone-called');

    const { rows } = await box!.db.query<{ status: string; room: string; patient_id: string; call_count: number }>(
      `SELECT status, room, patient_id, call_count FROM queue_tickets WHERE id = $1`,
      [ticketId],
    );
    expect(rows[0]).toEqual({ status: 'called', room: ROOM, patient_id: demoIds.patient, call_count: 1 });
  });

  step('3. doctor opens the encounter from the queue, records vitals, notes and an ICD-10 diagnosis', async () => {
    const doc = await staffLogin('doctor', 'dokter', 'demo-dokter-123', '/staff/pemeriksaan');
    await doc.getByTestId('exam-poli-umum').click();
    const row = doc.getByTestId(`exam-row-${label}`);
    await row.getByTestId('exam-open').click();
    await doc.getByTestId('encounter').waitFor({ state: 'visible' });
    await expect.poll(() => doc.getByTestId('encounter-patient').innerText()).toBe(PATIENT);
    // Opening it starts the service: the phone follows, live.
    await ticketStatus(pages.phone, 'serving', /dilayani/i);
    await expect.poll(() => pages.phone.getByTestId('ticket-called').isHidden()).toBe(true);

    const vitals: Record<string, string> = { systolic: '118', diastolic: '76', pulse: '92', respiratoryRate: '20', temperature: '38,4', spo2: '98', weight: '64', height: '168' };
    for (const [k, v] of Object.entries(vitals)) await doc.getByTestId(`vital-${k}`).fill(v);
    await doc.getByTestId('soap-subjective').fill('Demam 2 hari, batuk pilek, nyeri menelan.');
    await doc.getByTestId('soap-objective').fill('Faring hiperemis, tonsil T1-T1, paru bersih.');
    await doc.getByTestId('soap-plan').fill('Simtomatik, banyak minum, kontrol 3 hari bila tidak membaik.');

    await doc.getByTestId('icd10-search').fill('j06');
    const icd = doc.getByTestId('icd10-result').filter({ hasText: ICD });
    await icd.waitFor();
    await shot(doc, 'doctor-icd10-search');
    await icd.getByTestId('icd10-add-primary').click();
    const chip = doc.getByTestId(`dx-${ICD}`);
    await chip.waitFor();
    expect(await chip.innerText()).toContain('Utama');

    await doc.getByTestId('encounter-save').click();
    await expect.poll(() => doc.getByTestId('encounter-msg').innerText()).toMatch(/^Tersimpan pukul/);

    const { rows } = await box!.db.query<{
      id: string;
      status: string;
      mode: string;
      vitals: Record<string, number>;
      diagnoses: { code: string; kind: string }[];
      subjective: string;
    }>(`SELECT id, status, mode, vitals, diagnoses, subjective FROM encounters WHERE ticket_id = $1`, [ticketId]);
    expect(rows).toHaveLength(1);
    encounterId = rows[0].id;
    expect(rows[0]).toMatchObject({ status: 'open', mode: 'in_person', subjective: 'Demam 2 hari, batuk pilek, nyeri menelan.' });
    expect(rows[0].vitals).toEqual({ systolic: 118, diastolic: 76, pulse: 92, respiratoryRate: 20, temperature: 38.4, spo2: 98, weight: 64, height: 168 });
    expect(rows[0].diagnoses).toEqual([expect.objectContaining({ code: ICD, kind: 'primary' })]);
  });

  step('4. doctor issues a prescription from the formulary', async () => {
    const doc = pages.doctor;
    await doc.getByTestId('formulary-search').fill('para');
    const drug = doc.getByTestId('formulary-result').filter({ hasText: 'Parasetamol' });
    await drug.waitFor();
    await drug.getByTestId('formulary-add').click();
    const item = doc.getByTestId('rx-item').filter({ hasText: 'Parasetamol 500 mg' });
    await item.waitFor();
    await item.getByTestId('rx-signa').fill('3 x 1 tablet sesudah makan, bila demam');
    await item.getByTestId('rx-quantity').fill('10');
    await item.getByTestId('rx-days').fill('3');
    await shot(doc, 'doctor-prescription-form');
    await doc.getByTestId('rx-issue').click();
    await expect.poll(() => doc.locator('#rx-msg').innerText()).toBe('Resep diterbitkan.');
    const issued = doc.getByTestId('rx-issued').filter({ hasText: 'Parasetamol' });
    await issued.waitFor();
    const text = await issued.innerText();
    expect(text).toContain('Parasetamol 500 mg — 3 x 1 tablet sesudah makan, bila demam · 10 tablet · 3 hari');
    expect(text).toContain('Diterbitkan');
    expect(text).not.toMatch(/\bissued\b/);
    expect(await doc.getByTestId('rx-item').count()).toBe(0);
  });

  step('5. doctor issues a referral', async () => {
    const doc = pages.doctor;
    await doc.getByTestId('referral-hospital').selectOption(demoIds.hospital);
    await doc.getByTestId('referral-specialty').selectOption(SPECIALTY);
    await doc.getByTestId('referral-diagnosis').selectOption(ICD);
    await doc.getByTestId('referral-reason').fill('Demam tinggi menetap dengan dugaan komplikasi; mohon evaluasi spesialis.');
    await doc.getByTestId('referral-issue').click();
    await expect.poll(() => doc.locator('#ref-msg').innerText()).toBe('Rujukan diterbitkan.');
    const ref = doc.getByTestId('referral-issued');
    await ref.waitFor();
    const text = await ref.innerText();
    expect(text).toContain(`${HOSPITAL} · ${SPECIALTY} · ${ICD}`);
    expect(text).toContain('Diterbitkan');
    await shot(doc, 'doctor-encounter-filled');
  });

  step('6. doctor closes the encounter; the phone shows the documents live', async () => {
    const doc = pages.doctor;
    doc.once('dialog', (d) => void d.accept());
    await doc.getByTestId('encounter-close').click();
    await expect.poll(() => doc.getByTestId('encounter-msg').innerText()).toBe('Pemeriksaan ditutup.');
    expect(await doc.getByTestId('encounter-save').isDisabled()).toBe(true);
    await doc.getByTestId(`exam-row-${label}`).waitFor({ state: 'detached' });
    await shot(doc, 'doctor-encounter-closed');

    const phone = pages.phone;
    await ticketStatus(phone, 'done', /selesai/i);
    const rx = phone.getByTestId('doc-prescription');
    await rx.waitFor();
    expect(await rx.innerText()).toContain('Parasetamol 500 mg tablet');
    expect(await rx.innerText()).toMatch(/siap ditebus/i);
    const ref = phone.getByTestId('doc-referral');
    await ref.waitFor();
    expect(await ref.innerText()).toContain(`${HOSPITAL} · ${SPECIALTY}`);
    expect(await phone.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await shot(phone, 'phone-documents-issued');

    // The doctor's JSON view of the visit.
    const res = await doc.request.get(`${box!.url}/api/v1/encounters/${encounterId}`);
    expect(res.status()).toBe(200);
    const enc = await res.json();
    expect(enc).toMatchObject({ id: encounterId, status: 'closed', patientName: PATIENT, diagnoses: [expect.objectContaining({ code: ICD, kind: 'primary' })] });
    expect(enc.prescriptions).toEqual([expect.objectContaining({ status: 'issued', items: [expect.objectContaining({ name: 'Parasetamol', quantity: 10, days: 3 })] })]);
    expect(enc.referrals).toEqual([expect.objectContaining({ status: 'issued', hospitalCode: demoIds.hospital, specialty: SPECIALTY, diagnosisCode: ICD })]);
  });

  step('7. pharmacist dispenses the prescription; stock goes down', async () => {
    const ph = await staffLogin('pharmacist', 'apoteker', 'demo-apoteker-123', '/staff/farmasi');
    const card = ph.getByTestId(`rx-card-${label}`);
    await card.waitFor();
    expect(await card.innerText()).toContain(PATIENT);
    expect(await card.innerText()).toContain('Parasetamol 500 mg (tablet) — 10 tablet');
    await shot(ph, 'pharmacist-to-dispense');
    await card.getByTestId('rx-dispense').click();
    await expect.poll(() => ph.getByTestId('pharmacy-msg').innerText()).toBe(`Resep ${label} disiapkan.`);
    await card.waitFor({ state: 'detached' });
    await ph.getByTestId('rx-tab-dispensed').click();
    await card.getByTestId('rx-pickup').waitFor();
    await shot(ph, 'pharmacist-dispensed');

    const { rows } = await box!.db.query<{ status: string; stock: number; dispensed_by: string }>(
      `SELECT p.status, f.stock, s.username AS dispensed_by FROM prescriptions p JOIN prescription_items i ON i.prescription_id = p.id
         JOIN formulary f ON f.id = i.formulary_id JOIN staff s ON s.id = p.dispensed_by WHERE p.encounter_id = $1`,
      [encounterId],
    );
    expect(rows).toEqual([{ status: 'dispensed', stock: 490, dispensed_by: 'apoteker' }]);
  });

  step('8. the patient’s phone shows the prescription and the referral copy; the letter names patient and hospital', async () => {
    const phone = pages.phone;
    // The patient comes back to the page later (a new load: documents also refresh on their own, but slowly).
    await phone.reload();
    const rx = phone.getByTestId('doc-prescription');
    await expect.poll(() => rx.innerText()).toMatch(/sudah disiapkan/i);
    expect(await rx.innerText()).toContain('3 x 1 tablet sesudah makan, bila demam');
    const ref = phone.getByTestId('doc-referral');
    expect(await ref.innerText()).toContain(HOSPITAL);
    await shot(phone, 'phone-documents-dispensed');

    const docs = await (await phone.request.get(`${box!.url}/api/v1/tickets/${token}/documents`)).json();
    expect(docs.prescriptions).toHaveLength(1);
    expect(docs.prescriptions[0]).toMatchObject({ status: 'dispensed' });
    expect(docs.referrals).toEqual([expect.objectContaining({ status: 'issued', hospitalName: HOSPITAL, letter: expect.stringMatching(new RegExp(`^/t/${token}/rujukan/`)) })]);

    await ref.getByTestId('referral-link').click();
    await phone.waitForURL(new RegExp(`/t/${token}/rujukan/[0-9a-f-]{36}$`));
    const letter = phone.getByTestId('referral-letter');
    await letter.waitFor();
    const text = await letter.innerText();
    for (const s of ['SURAT RUJUKAN', 'Salinan untuk pasien', PATIENT, HOSPITAL, SPECIALTY, ICD, 'Parasetamol 500 mg', 'dr. Andi Wijaya']) expect(text).toContain(s);
    expect(text).not.toContain('NIK'); // the patient's copy leaves the NIK out
    await phone.getByTestId('referral-qr').locator('svg').waitFor();
    await shot(phone, 'phone-referral-letter');
  });

  step('9. the records and their outbox entries are in the database', async () => {
    const db = box!.db;
    const t = await db.query<{ status: string }>(`SELECT status FROM queue_tickets WHERE id = $1`, [ticketId]);
    expect(t.rows[0].status).toBe('done');
    const rx = await db.query<{ id: string }>(`SELECT id FROM prescriptions WHERE encounter_id = $1`, [encounterId]);
    const ref = await db.query<{ id: string; status: string; hospital_code: string; diagnosis_code: string }>(
      `SELECT id, status, hospital_code, diagnosis_code FROM referrals WHERE encounter_id = $1`,
      [encounterId],
    );
    expect(rx.rows).toHaveLength(1);
    expect(ref.rows).toEqual([expect.objectContaining({ status: 'issued', hospital_code: demoIds.hospital, diagnosis_code: ICD })]);

    const out = await db.query<{ type: string; entity_id: string; schema_version: number; payload: Record<string, unknown>; pending: boolean }>(
      `SELECT type, entity_id, schema_version, payload, EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq) AS pending FROM outbox o WHERE entity_id = ANY($1) ORDER BY seq`,
      [[rx.rows[0].id, ref.rows[0].id, encounterId]],
    );
    const byType = (type: string) => out.rows.filter((r) => r.type === type);
    // One entry per version the centre needs, the newest last: the prescription issued, then
    // dispensed; the referral as issued.
    const rxOut = byType('prescription');
    expect(rxOut.map((r) => [r.entity_id, r.payload.status])).toEqual([
      [rx.rows[0].id, 'issued'],
      [rx.rows[0].id, 'dispensed'],
    ]);
    const refOut = byType('referral');
    expect(refOut.length).toBeGreaterThanOrEqual(1);
    expect(refOut.every((r) => r.entity_id === ref.rows[0].id)).toBe(true);
    expect(refOut.at(-1)!.payload).toMatchObject({ status: 'issued', hospital: { code: demoIds.hospital }, diagnosis: { code: ICD } });
    const summary = byType('encounter_summary');
    expect(summary).toHaveLength(1);
    expect(summary[0].entity_id).toBe(encounterId);
    expect(summary[0].payload).toMatchObject({ diagnoses: [{ code: ICD, kind: 'primary' }], prescriptions: 1, referrals: 1 });
    for (const r of out.rows) {
      expect(r.schema_version).toBeGreaterThanOrEqual(1);
      expect(r.pending).toBe(true); // waiting for the centre: sending is the sync issue's
    }

    // Staff reads and changes of the patient's clinical data were audited, by who did them.
    const audit = await db.query<{ username: string; entity: string }>(
      `SELECT DISTINCT s.username, a.entity FROM audit_log a JOIN staff s ON s.id = a.staff_id WHERE a.patient_id = $1`,
      [demoIds.patient],
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { username: 'perawat', entity: 'queue_ticket' },
        { username: 'dokter', entity: 'encounter' },
        { username: 'dokter', entity: 'prescription' },
        { username: 'dokter', entity: 'referral' },
        { username: 'apoteker', entity: 'prescription' },
      ]),
    );
  });

  step('10. no script errors on any page and no errors in the box’s log', async () => {
    expect(pageProblems).toEqual([]);
    expect(boxErrors).toEqual([]);
    expect(readdirSync(ARTIFACTS).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(15);
  });
});
