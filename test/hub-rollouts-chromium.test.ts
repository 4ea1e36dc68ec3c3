/**
 * Releases and rollouts in the console, in Chromium: a national operator sees a registered release,
 * is told next to the field what is wrong with a wave list, starts a rollout in two cumulative
 * waves over simulated boxes (their update outcomes reported through the status path, as boxes
 * report them), watches the first wave's progress and the halt after a rollback without a reload,
 * the failed box named and linked; resumes and halts it by hand. A district operator on a phone
 * sees the rollout with its own boxes' counts only, and no form. axe-core finds no serious or
 * critical violation; no script error, no CSP violation, nothing from outside the hub.
 * Screenshots in test-artifacts/hub-rollouts/.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoxStatusV2 } from '../central/contract/index.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { registerRelease } from '../central/releases/registry.ts';
import { makeFakeBundle } from '../central/releases/testing/fake-bundle.ts';
import { chromiumPath } from './support/chromium.ts';
import { boxes, operators, PASSWORD, startOperatorHub, type OperatorHub } from './support/hub-operators.ts';
import { until } from './support/wait.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/hub-rollouts/', import.meta.url));
let h: OperatorHub;
let browser: Browser;
let dir: string;
let rolloutId = '';
let wave1: { id: string; region: string }[] = [];
let failing = { id: '', region: '' };
const t = Date.parse('2026-12-03T02:00:00Z');
const now = () => new Date(t);
/** More boxes than the operator hub's three: two districts of NTT and Bali. */
const extra = [
  { id: 'box-kupang-2', region: '5301' },
  { id: 'box-kupang-3', region: '5301' },
  { id: 'box-kupang-4', region: '5301' },
  { id: 'box-soe-2', region: '5302' },
  { id: 'box-soe-3', region: '5302' },
];

/** What a simulated box reports after update.sh ran (status v2 with its `update`). */
const status = (sw: string, update?: BoxStatusV2['update']): BoxStatusV2 => ({
  v: 2,
  kind: 'status',
  at: now().toISOString(),
  hello: false,
  pending: 0,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: null,
  lastSyncAt: now().toISOString(),
  lastError: null,
  sw,
  bootId: '0a1b2c3d-4e5f',
  uptimeS: 3600,
  uncleanStops: 0,
  disk: { free: 21e9, total: 32e9 },
  mem: { box: 150 * 1_048_576, relay: 60 * 1_048_576 },
  load: 0.4,
  dbBytes: 80 * 1_048_576,
  backup: null,
  clock: { trusted: true, offsetMs: 300 },
  certExpiresAt: new Date(t + 80 * 86_400_000).toISOString(),
  relay: null,
  queue: null,
  storage: 'ok',
  ...(update ? { update } : {}),
});

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'simpul-rollouts-chromium-'));
  h = await startOperatorHub({ now, fleet: { now, sweepEveryMs: 0, flushEveryMs: 0 }, rolloutEveryMs: 0 });
  for (const b of extra) {
    await enrolDevice(h.db, { facilityCode: `${b.region}P0${b.id.slice(-1)}`, deviceId: b.id, name: `Puskesmas ${b.id}` });
    await h.db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [b.id, b.region]);
  }
  for (const b of [...Object.values(boxes), ...extra]) h.hub.fleet.report(b.id, status('0.4.0'));
  await h.hub.fleet.flush();
  await registerRelease(h.db, join(dir, 'hub'), { file: makeFakeBundle(dir, '0.5.0', 300_000), version: '0.5.0' });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function watched(viewport: { width: number; height: number }): Promise<{ ctx: BrowserContext; page: Page; problems: string[] }> {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID' });
  const page = await ctx.newPage();
  const problems: string[] = [];
  const origin = new URL(h.hub.url).origin;
  page.on('console', (m) => {
    // The form sent back with its errors answers 400 on purpose (checked as such).
    if ((m.type() === 'error' && !/status of 400/.test(m.text())) || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`);
  });
  return { ctx, page, problems };
}

async function signInOnPage(page: Page, username: string) {
  await page.goto(`${h.hub.url}/fleet/rollouts`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${h.hub.url}/`), page.locator('button[type=submit]').click()]);
}

/** axe-core's serious and critical findings, by rule and the elements they are on. */
async function seriousViolations(page: Page) {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('releases and rollouts in the console', () => {
  it('a national operator starts a rollout in waves, sees its progress and the halt after a rollback without a reload, the failed box named', async () => {
    const { ctx, page, problems } = await watched({ width: 1280, height: 900 });
    try {
      await signInOnPage(page, operators.national.username);
      await page.goto(`${h.hub.url}/fleet/rollouts`);
      const release = page.getByTestId('release-0.5.0');
      expect(await release.textContent()).toContain('diperiksa setiap kotak');
      expect(await page.getByTestId('rollouts').textContent()).toContain('Belum ada peluncuran');
      expect(await seriousViolations(page)).toEqual([]);

      // Waves that fall: refused, the reason beside the field, what was typed kept.
      await page.locator('input[name=waves]').fill('50, 10');
      await Promise.all([page.waitForNavigation(), page.getByTestId('rollout-form').locator('button[type=submit]').click()]);
      expect(await page.getByTestId('err-waves').textContent()).toContain('persentase naik');
      expect(await page.locator('input[name=waves]').inputValue()).toBe('50, 10');
      expect(await page.locator('input[name=waves]').getAttribute('aria-invalid')).toBe('true');
      expect(await seriousViolations(page)).toEqual([]);

      // 25 % of the nation's 8 boxes, then the rest; the first rollback halts it.
      await page.locator('input[name=waves]').fill('25, 100');
      await page.locator('input[name=maxFailures]').fill('0');
      await Promise.all([page.waitForURL(/\/fleet\/rollouts\/[0-9a-f-]{36}$/), page.getByTestId('rollout-form').locator('button[type=submit]').click()]);
      rolloutId = page.url().split('/').pop()!;
      const audit = await h.db.query<{ actor: string; result: string }>(`SELECT actor, result FROM audit_log WHERE action = 'rollout_create' ORDER BY seq`);
      expect(audit.rows.map((r) => `${r.actor} ${r.result}`)).toEqual(['nasional refused', 'nasional ok']);

      // The create moved the rollouts at once: the first wave is assigned.
      await until('wave 1 assigned', async () => (await h.db.query(`SELECT 1 FROM rollout_assignments WHERE rollout_id = $1`, [rolloutId])).rows.length === 2);
      wave1 = (
        await h.db.query<{ id: string; region: string }>(
          `SELECT d.id, d.region_code AS region FROM rollout_assignments a JOIN devices d ON d.id = a.device_id WHERE a.rollout_id = $1 ORDER BY d.id`,
          [rolloutId],
        )
      ).rows;
      await page.reload();
      expect(await page.locator(`[data-wave-text="${rolloutId}:0"]`).textContent()).toBe('2 ditugaskan: 0 berhasil, 0 gagal, 2 menunggu');
      expect(await page.locator(`[data-wave-text="${rolloutId}:1"]`).textContent()).toBe('belum dimulai');
      expect(await page.locator(`[data-rollout-state="${rolloutId}"]`).getAttribute('data-state')).toBe('running');
      await page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });

      // One box of wave 1 commits, the other rolls back (a box outside Kupang, when the wave has one).
      failing = wave1.find((b) => b.region !== '5301') ?? wave1[0];
      const good = wave1.find((b) => b.id !== failing.id)!;
      h.hub.fleet.report(good.id, status('0.5.0', { outcome: 'committed', version: '0.5.0', at: now().toISOString() }));
      h.hub.fleet.report(failing.id, status('0.4.0', { outcome: 'rolled-back', version: '0.5.0', at: now().toISOString() }));
      await h.hub.fleet.flush();
      expect((await h.hub.advanceRollouts()).halted.map((x) => x.id)).toEqual([rolloutId]);

      await until('the halt shown without a reload', async () => (await page.locator(`[data-rollout-state="${rolloutId}"]`).getAttribute('data-state')) === 'halted', 30_000);
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(await page.locator(`[data-rollout-state="${rolloutId}"]`).textContent()).toBe('dihentikan');
      expect(await page.locator(`[data-wave-text="${rolloutId}:0"]`).textContent()).toBe('2 ditugaskan: 1 berhasil, 1 gagal, 0 menunggu');
      expect(await page.locator(`[data-rollout-summary="${rolloutId}"]`).textContent()).toContain(failing.id);
      expect(await page.locator(`[data-failed="${rolloutId}"] a`).evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([`/fleet/boxes/${failing.id}`]);
      expect(await page.getByTestId('resume-form').isVisible()).toBe(true);
      expect(await page.getByTestId('halt-form').isVisible()).toBe(false);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'national-rollout-halted.png'), fullPage: true });

      await page.goto(`${h.hub.url}/fleet/rollouts`);
      expect(await page.getByTestId(`rollout-${rolloutId}`).textContent()).toContain('dihentikan');
      expect(await page.locator(`[data-failed="${rolloutId}"] a`).textContent()).toBe(failing.id);
      await page.screenshot({ path: join(ARTIFACTS, 'national-rollouts.png'), fullPage: true });

      // Resume (the failure accepted): the second wave goes out; then a halt by hand withdraws what it has not reached.
      await page.goto(`${h.hub.url}/fleet/rollouts/${rolloutId}`);
      await Promise.all([page.waitForNavigation(), page.getByTestId('resume-form').locator('button').click()]);
      await until('wave 2 assigned', async () => (await h.db.query(`SELECT 1 FROM rollout_assignments WHERE rollout_id = $1`, [rolloutId])).rows.length === 8);
      await page.reload();
      expect(await page.locator(`[data-wave-text="${rolloutId}:1"]`).textContent()).toBe('6 ditugaskan: 0 berhasil, 0 gagal, 6 menunggu');
      await page.getByTestId('halt-form').locator('input[name=reason]').fill('menunggu kabar dinas');
      await Promise.all([page.waitForNavigation(), page.getByTestId('halt-form').locator('button').click()]);
      expect(await page.locator(`[data-rollout-state="${rolloutId}"]`).getAttribute('data-state')).toBe('halted');
      expect(await page.locator(`[data-wave-withdrawn="${rolloutId}:1"]`).textContent()).toBe('6 penugasan ditarik kembali saat dihentikan');
      const actions = await h.db.query<{ action: string; detail: unknown }>(`SELECT action, detail FROM audit_log WHERE action IN ('rollout_halt', 'rollout_resume') ORDER BY seq`);
      expect(actions.rows.map((r) => r.action)).toEqual(['rollout_resume', 'rollout_halt']);
      expect(actions.rows[1].detail).toMatchObject({ reason: 'menunggu kabar dinas', withdrawn: expect.any(Number) });
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 240_000);

  it('a district operator on a phone sees the rollout with its own boxes only, and no form', async () => {
    const { ctx, page, problems } = await watched({ width: 390, height: 844 });
    try {
      await signInOnPage(page, operators.district.username);
      await page.goto(`${h.hub.url}/fleet/rollouts`);
      expect(await page.getByTestId('regional-view').textContent()).toContain('5301');
      expect(await page.getByTestId('rollout-form').count()).toBe(0);
      const mine = wave1.filter((b) => b.region === '5301').length;
      const row = page.getByTestId(`rollout-${rolloutId}`);
      expect(await row.count()).toBe(1);
      // Kupang has 4 boxes: wave 1's share of them, the rest in wave 2.
      expect(await page.locator(`[data-wave-text="${rolloutId}:0"]`).textContent()).toMatch(new RegExp(`^${mine} ditugaskan`));
      expect(await page.locator(`[data-wave-text="${rolloutId}:1"]`).textContent()).toMatch(new RegExp(`^${4 - mine} ditugaskan`));
      const named = await page.locator(`[data-failed="${rolloutId}"] a`).allTextContents();
      expect(named).toEqual(failing.region === '5301' ? [failing.id] : []);
      // The halt reason names boxes of other regions: a district does not see it.
      expect(await page.locator('main').textContent()).not.toContain('box-soe');
      expect(await page.locator('main').textContent()).not.toContain('box-bali');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'district-rollouts-phone.png'), fullPage: true });

      await page.goto(`${h.hub.url}/fleet/rollouts/${rolloutId}`);
      expect(await page.getByTestId('resume-form').count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'district-rollout-phone.png'), fullPage: true });
      // Its forms' routes refuse it as well.
      const res = await page.request.post(`${h.hub.url}/fleet/rollouts/${rolloutId}/resume`, { form: { csrf: 'x' } });
      expect(res.status()).toBe(403);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 180_000);
});
