/**
 * Issue 14's end-to-end proof. A production box from an empty data dir, in Chromium: it serves only
 * its first-run page (HTTPS, Indonesian first; every other address 503) where the technician makes
 * the first admin (weak passwords refused as by `npm run setup`) and enrols the box with the hub
 * address and a claim code (a wrong code refused with the hub's reason). Once done, the box starts
 * as usual on the same port, enrolled with its certificate and syncing, without a restart.
 *
 * Then the clinic runs on it: the hub pushes the district's hospitals and formulary, the admin makes
 * a nurse's, a doctor's and a pharmacist's accounts, and they take one patient through to a
 * referral; the referral is stored at the hub and the hospital's answer comes back to the box.
 * No demo seed anywhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, request, type APIRequestContext, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import type { Hub } from '../central/hub.ts';
import { createClaim } from '../central/fleet/claims.ts';
import type { HubDb } from '../central/storage/db.ts';
import { startEnrolmentHub } from './enrolment-support.ts';
import { freePort, tempDir } from './mosquitto-support.ts';
import { chromiumPath } from './support/chromium.ts';
import { until } from './support/wait.ts';

let db: HubDb;
let hub: Hub;
let browser: Browser;
let box: Box | undefined;
let dir: string;
const adminToken = randomBytes(18).toString('base64url');
/** What the first test learns, for the second. */
let deviceId = '';
let boxUrl = '';
const apis: APIRequestContext[] = [];

beforeAll(async () => {
  dir = tempDir('simpul-first-run-');
  ({ hub, db } = await startEnrolmentHub(dir, adminToken));
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}, 120_000);
afterAll(async () => {
  for (const a of apis) await a.dispose().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await box?.close();
  await hub?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('first start of a production box', () => {
  it('only the first-run page until an admin is made and the box is enrolled; then the box runs, enrolled', async () => {
    const port = await freePort();
    const dataDir = join(dir, 'box');
    const config = configSchema.parse({
      mode: 'production',
      dataDir,
      httpsPort: port,
      httpPort: 0,
      host: '127.0.0.1',
      facility: { code: '0112P001', name: 'Puskesmas Uji' },
      logLevel: 'silent',
    });
    const starting = startBox(config, { log: pino({ level: 'silent' }), firstRun: true });
    starting.then(
      (b) => (box = b),
      () => {},
    );
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'id-ID' });
    const page = await ctx.newPage();
    const base = `https://127.0.0.1:${port}`;
    await until('the first-run page', async () => (await page.goto(`${base}/`).catch(() => null))?.status() === 200, 60_000, 200);
    expect(await page.locator('h1').innerText()).toMatch(/Penyiapan pertama/);
    expect(await page.locator('#facility').innerText()).toBe('0112P001');
    for (const path of ['/staff', '/staff/login', '/ambil', '/api/v1/patients']) {
      expect((await page.goto(`${base}${path}`))!.status(), path).toBe(503);
    }

    // A weak password is refused as by `npm run setup`; nothing is made.
    const { code } = await createClaim(db, { facilityCode: '0112P001', validForMs: 86_400_000, now: new Date() });
    const fill = async (o: { password: string; claimCode: string }) => {
      await page.goto(`${base}/`);
      await page.fill('#username', 'kepala');
      await page.fill('#fullName', 'Siti Rahmawati');
      await page.fill('#password', o.password);
      await page.fill('#hubUrl', hub.url);
      await page.fill('#claimCode', o.claimCode);
      await page.click('button[type=submit]');
    };
    await fill({ password: 'password123', claimCode: code });
    expect(await page.locator('#errors').innerText()).toMatch(/paling sering dipakai/);
    // A wrong claim code: the hub's reason, in Indonesian; no admin made yet, the claim untouched.
    await fill({ password: 'pohon-mangga-di-halaman', claimCode: 'ABCD-EFGH-JKMN-PQRS' });
    expect(await page.locator('#errors').innerText()).toMatch(/Kode klaim tidak dikenal/);
    expect(existsSync(join(dataDir, 'identity.json'))).toBe(false);
    // The right one.
    await fill({ password: 'pohon-mangga-di-halaman', claimCode: code });
    expect(await page.locator('#done').innerText()).toMatch(/Selesai/);

    // The box goes on starting by itself, on the same port, enrolled and syncing with its certificate.
    const started = await starting;
    expect(statSync(join(dataDir, 'identity.json')).mode & 0o777).toBe(0o600);
    await until('the box connected to the hub with its certificate', async () => (await started.sync.stats()).connected, 30_000);
    deviceId = (await started.sync.stats()).deviceId!;
    boxUrl = base;
    expect(deviceId).toMatch(/^0112p001-/);
    expect(hub.broker!.connectedDevices()).toContain(deviceId);
    const login = await page.goto(`${base}/staff/login`);
    expect(login!.status()).toBe(200);
    await ctx.close();
  }, 180_000);
  it('then the clinic runs on it: lists from the hub, accounts made by the admin, a patient referred, the hospital’s answer back', async () => {
    expect(deviceId, 'the first-run test enrolled the box').not.toBe('');
    const hubPost = async (path: string, body: unknown) => {
      const res = await fetch(`${hub.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify(body),
      });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json();
    };
    /** A staff member's session on the box (cookie + CSRF token), as their tablet has it. */
    const staff = async (username: string, password: string) => {
      const api = await request.newContext({ baseURL: boxUrl, ignoreHTTPSErrors: true });
      apis.push(api);
      const login = await api.post('/api/v1/auth/login', { data: { username, password } });
      expect(login.status(), `login ${username}: ${await login.text()}`).toBe(200);
      const { csrfToken } = await login.json();
      return async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, data?: unknown) => {
        const res = await api.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
        const text = await res.text();
        expect(res.status(), `${method} ${path}: ${text}`).toBe(200);
        return JSON.parse(text);
      };
    };

    // The district's lists, from the hub through the downlink: before them the box has none.
    const admin = await staff('kepala', 'pohon-mangga-di-halaman');
    expect((await admin('GET', '/api/v1/hospitals')).hospitals).toEqual([]);
    await hubPost('/admin/hospitals', {
      devices: [deviceId],
      items: [{ code: '5301R001', name: 'RSUD Prof. Dr. W. Z. Johannes', specialties: ['Penyakit Dalam', 'Anak'], acceptsEmergency: true }],
    });
    await hubPost('/admin/formulary', {
      devices: [deviceId],
      items: [{ kfaCode: '93001234', name: 'Amlodipin', strength: '5 mg', form: 'tablet', unit: 'tablet', active: true }],
    });
    await until('the hospital list on the box', async () => (await admin('GET', '/api/v1/hospitals')).hospitals.length === 1, 30_000, 100);
    await until('the formulary on the box', async () => (await admin('GET', '/api/v1/formulary?q=amlo')).items.length === 1, 30_000, 100);

    // The admin makes the clinic's accounts.
    for (const [username, fullName, role] of [
      ['perawat.ina', 'Ina Bria', 'nurse'],
      ['dokter.yos', 'dr. Yosef Lake', 'doctor'],
      ['apoteker.mia', 'Mia Seran, S.Farm.', 'pharmacist'],
    ]) {
      await admin('POST', '/api/v1/admin/staff', { username, fullName, role, password: `kebun-kelapa-${role}-7` });
    }
    const nurse = await staff('perawat.ina', 'kebun-kelapa-nurse-7');
    const doctor = await staff('dokter.yos', 'kebun-kelapa-doctor-7');
    const pharmacist = await staff('apoteker.mia', 'kebun-kelapa-pharmacist-7');

    // The first stock arrives; a patient is registered and takes a number; the nurse calls it.
    const amlodipin = (await pharmacist('GET', '/api/v1/formulary?q=amlo')).items[0];
    expect((await pharmacist('POST', `/api/v1/formulary/${amlodipin.id}/receipts`, { quantity: 100, reason: 'kiriman dinas' })).stock).toBe(100);
    const patient = await nurse('POST', '/api/v1/patients', { fullName: 'Yohanes Tefa', sex: 'L', birthDate: '1968-05-02', jknNumber: '0002345678901' });
    const phone = await request.newContext({ baseURL: boxUrl, ignoreHTTPSErrors: true });
    apis.push(phone);
    const ticket = await (await phone.post('/api/v1/queue/take', { data: { poli: 'umum' } })).json();
    const board = await nurse('GET', '/api/v1/queue/umum');
    const ticketId = board.tickets.find((t: { label: string }) => t.label === ticket.ticket.label).id;
    await nurse('POST', `/api/v1/queue/tickets/${ticketId}/attach`, { patientId: patient.id });
    await nurse('POST', '/api/v1/queue/umum/call-next', { room: 'Ruang 1' });

    // The doctor examines, prescribes and refers to the district's hospital; the pharmacist dispenses.
    const enc = await doctor('POST', '/api/v1/encounters', { ticketId, mode: 'in_person' });
    await doctor('PUT', `/api/v1/encounters/${enc.id}/vitals`, { vitals: { systolic: 182, diastolic: 110 } });
    await doctor('PATCH', `/api/v1/encounters/${enc.id}`, { version: 2, subjective: 'Pusing berat sejak kemarin', diagnoses: [{ code: 'I10', kind: 'primary' }] });
    const rx = await doctor('POST', '/api/v1/prescriptions', { encounterId: enc.id, items: [{ formularyId: amlodipin.id, signa: '1 x 1 tablet pagi', quantity: 30, days: 30 }] });
    const hospital = (await doctor('GET', '/api/v1/hospitals')).hospitals[0];
    expect(hospital.code).toBe('5301R001');
    const referral = await doctor('POST', '/api/v1/referrals', {
      encounterId: enc.id,
      hospitalCode: hospital.code,
      specialty: 'Penyakit Dalam',
      diagnosisCode: 'I10',
      reason: 'Hipertensi tidak terkendali',
      emergency: false,
    });
    await doctor('POST', `/api/v1/referrals/${referral.id}/issue`);
    await doctor('POST', `/api/v1/encounters/${enc.id}/close`);
    await pharmacist('POST', `/api/v1/prescriptions/${rx.id}/dispense`);

    // The referral is stored at the hub, from this box; the hospital's answer comes back once.
    await until(
      'the referral at the hub',
      async () => (await db.query(`SELECT 1 FROM entity_state WHERE type = 'referral' AND entity_id = $1 AND device_id = $2`, [referral.id, deviceId])).rows.length === 1,
      30_000,
      100,
    );
    await hubPost(`/admin/referrals/${referral.id}/answer`, { status: 'scheduled', scheduledFor: '2026-12-10', note: 'Poli Penyakit Dalam, jam 08.00' });
    const answered = await until(
      'the hospital’s answer on the box',
      async () => {
        const r = await doctor('GET', `/api/v1/referrals/${referral.id}`);
        return r.status === 'scheduled' ? r : null;
      },
      30_000,
      100,
    );
    expect(answered).toMatchObject({ hospitalCode: '5301R001', status: 'scheduled' });
    expect(JSON.stringify(answered)).toContain('2026-12-10');
    // Nothing of the demo: the only patient is the one registered here.
    expect((await box!.db.query<{ full_name: string }>(`SELECT full_name FROM patients`)).rows.map((r) => r.full_name)).toEqual(['Yohanes Tefa']);
    expect((await box!.db.query(`SELECT 1 FROM staff`)).rows).toHaveLength(4);
  }, 180_000);
});
