/**
 * The pages under the box's Content-Security-Policy (no inline script, no framing) in real
 * Chromium: every page, for each role that may open it, loads without a single CSP violation,
 * and its scripts run (each page's own marker appears; the referral letter's print button works).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBox, type Box } from '../appliance/box.ts';
import { configSchema } from '../appliance/config.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { demoStaff } from '../appliance/clinic/demo.ts';
import { chromiumPath } from './support/chromium.ts';
import type { Role } from '../appliance/clinic/staff.ts';

let box: Box | undefined;
let dataDir: string | undefined;
let browser: Browser | undefined;

/** What a page must show once its script ran. */
const visits: { who: Role | 'patient'; path: string; ready: string }[] = [
  { who: 'patient', path: '/ambil', ready: '[data-testid=ambil-umum]' },
  { who: 'patient', path: `/t/${demoIds.ticketToken}`, ready: '[data-testid=conn-state].on' },
  { who: 'patient', path: '/layar', ready: 'body' },
  { who: 'patient', path: '/poster', ready: 'body' },
  { who: 'patient', path: '/staff/login', ready: '[data-testid=login-form]' },
  { who: 'doctor', path: '/staff', ready: 'body' },
  { who: 'doctor', path: '/staff/pemeriksaan', ready: '[data-testid=consultation-panel]' },
  { who: 'doctor', path: `/staff/konsultasi/${demoIds.encounter}`, ready: 'body' },
  { who: 'doctor', path: `/staff/rujukan/${demoIds.referral}/cetak`, ready: '[data-testid=referral-letter]' },
  { who: 'nurse', path: '/staff/antrean', ready: '[data-testid=poli-tab-umum]' },
  { who: 'nurse', path: `/staff/qr/${demoIds.ticketToken}`, ready: 'svg' },
  { who: 'pharmacist', path: '/staff/farmasi', ready: 'body' },
  { who: 'admin', path: '/staff/admin', ready: '[data-testid=ob-rows] tr, #ob-rows tr' },
  { who: 'admin', path: '/staff/akun', ready: '[data-testid=account-admin]' },
  { who: 'admin', path: '/staff/audit', ready: '[data-testid=audit-row]' },
  { who: 'admin', path: '/staff/laporan', ready: '#chart[data-ready="1"] canvas' },
  { who: 'nurse', path: `/staff/pasien/${demoIds.patient}`, ready: '[data-testid=patient-form]' },
];

async function pageFor(who: Role | 'patient', violations: string[]): Promise<Page> {
  const ctx = await browser!.newContext({ ignoreHTTPSErrors: true, locale: 'id-ID', viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${who}: console ${m.text()}`);
  });
  page.on('pageerror', (e) => violations.push(`${who}: uncaught ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to run: CSP ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed++;
    };
  });
  if (who !== 'patient') {
    const staff = demoStaff.find((s) => s.role === who)!;
    const res = await page.request.post(`${box!.url}/api/v1/auth/login`, { data: { username: staff.username, password: staff.password } });
    expect(res.status()).toBe(200);
  }
  return page;
}

describe('the pages under the CSP in Chromium', () => {
  beforeAll(async () => {
    const executablePath = chromiumPath();
    dataDir = mkdtempSync(join(tmpdir(), 'simpul-csp-'));
    const config = configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1', logLevel: 'warn' });
    box = await startBox(config, { log: pino({ level: 'silent' }) });
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await box?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('every page loads and runs its scripts without a CSP violation', async () => {
    const violations: string[] = [];
    const byWho = new Map<string, Page>();
    for (const v of visits) {
      let page = byWho.get(v.who);
      if (!page) byWho.set(v.who, (page = await pageFor(v.who, violations)));
      const res = await page.goto(`${box!.url}${v.path}`);
      expect(res?.status(), v.path).toBe(200);
      const csp = res!.headers()['content-security-policy'];
      expect(csp, v.path).toMatch(/script-src 'self';/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res!.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
      await page.locator(v.ready).first().waitFor({ state: 'attached', timeout: 20_000 });
      if (v.path.endsWith('/cetak')) {
        await page.getByTestId('print').click();
        await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
      }
    }
    expect(violations).toEqual([]);
    for (const p of byWho.values()) await p.context().close();
  }, 120_000);
});
