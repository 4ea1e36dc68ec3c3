/**
 * A production box from an empty data dir, in Chromium: it serves only its first-run page (HTTPS,
 * Indonesian first; every other address 503) where the technician makes the first admin (weak
 * passwords refused as by `npm run setup`) and enrols the box with the hub address and a claim code
 * (a wrong code refused with the hub's reason). Once done, the box starts as usual on the same port,
 * enrolled with its certificate and syncing, without a restart. No demo seed anywhere.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { createClaim } from '../central/fleet/claims.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { freePort, tempDir } from './mosquitto-support.ts';
import { chromiumPath } from './support/chromium.ts';
import { until } from './support/wait.ts';

let db: HubDb;
let hub: Hub;
let browser: Browser;
let box: Box | undefined;
let dir: string;

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  dir = tempDir('simpul-first-run-');
  hub = await startHub(
    {
      httpPort: 0,
      httpHost: '127.0.0.1',
      brokerPort: 0,
      brokerHost: '127.0.0.1',
      brokerTlsPort: 0,
      brokerTlsHostnames: ['localhost', '127.0.0.1'],
      logLevel: 'silent',
      dataDir: join(dir, 'hub'),
    },
    { db, log: quietLog() },
  );
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}, 120_000);
afterAll(async () => {
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
    const deviceId = (await started.sync.stats()).deviceId!;
    expect(deviceId).toMatch(/^0112p001-/);
    expect(hub.broker!.connectedDevices()).toContain(deviceId);
    const login = await page.goto(`${base}/staff/login`);
    expect(login!.status()).toBe(200);
    await ctx.close();
  }, 180_000);
});
