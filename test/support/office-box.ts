/**
 * A production box (no demo seed) on HTTPS with Chromium beside it, for the office pages' tests
 * (report, staff accounts, patient details, audit, printed ticket, spoken calls): accounts made as
 * `npm run setup` makes them, a login per page, axe-core over each page, screenshots kept in
 * test-artifacts/office/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBox, type Box } from '../../appliance/box.ts';
import { configSchema } from '../../appliance/config.ts';
import { createStaff, type Role } from '../../appliance/clinic/staff.ts';
import { chromiumPath } from './chromium.ts';

export const officeArtifacts = fileURLToPath(new URL('../../test-artifacts/office/', import.meta.url));

export const sizes = {
  phone: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
  tablet: { viewport: { width: 1280, height: 800 } },
  tv: { viewport: { width: 1920, height: 1080 } },
} as const;

export interface OfficeBox {
  box: Box;
  browser: Browser;
  /** Problems seen in the pages' scripts (uncaught errors, console errors); a test ends with none. */
  problems: string[];
  /** Makes an account (as `npm run setup` does); its password is `<username>-kelapa-muda-9`. */
  account(username: string, fullName: string, role: Role): Promise<string>;
  /** A logged-in page at a size; `locale` id-ID unless asked. */
  login(username: string, size?: keyof typeof sizes, locale?: string): Promise<Page>;
  newPage(size?: keyof typeof sizes, locale?: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export const passwordOf = (username: string) => `${username.replace(/\W/g, '')}-kelapa-muda-9`;

export async function startOfficeBox(name: string, overrides: Record<string, unknown> = {}): Promise<OfficeBox> {
  const dataDir = mkdtempSync(join(tmpdir(), `simpul-${name}-`));
  const dir = join(officeArtifacts, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = configSchema.parse({
    mode: 'production',
    dataDir,
    httpsPort: 0,
    httpPort: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    facility: { code: '0112P001', name: 'Puskesmas Uji' },
    ...overrides,
  });
  const box = await startBox(config, { log: pino({ level: 'silent' }) });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let shots = 0;
  const newPage = async (size: keyof typeof sizes = 'tablet', locale = 'id-ID') => {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale, timezoneId: 'Asia/Jakarta', ...sizes[size] });
    ctx.setDefaultTimeout(20_000);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(`uncaught ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console ${m.text()} (${m.location().url})`);
    });
    return page;
  };
  return {
    box,
    browser,
    problems,
    async account(username, fullName, role) {
      return (await createStaff(box.db, { username, fullName, role, password: passwordOf(username) })).id;
    },
    async login(username, size = 'tablet', locale = 'id-ID') {
      const page = await newPage(size, locale);
      const res = await page.request.post(`${box.url}/api/v1/auth/login`, { data: { username, password: passwordOf(username) } });
      if (res.status() !== 200) throw new Error(`login as ${username}: ${res.status()} ${await res.text()}`);
      return page;
    },
    newPage,
    async shot(page, shotName) {
      shots += 1;
      await page.screenshot({ path: join(dir, `${String(shots).padStart(2, '0')}-${shotName}.png`), fullPage: true });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await box.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** axe-core over the page as it is: the serious and critical violations, one line each (none expected). */
export async function seriousA11y(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
