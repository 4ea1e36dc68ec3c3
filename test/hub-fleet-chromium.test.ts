/**
 * The fleet console in Chromium: two districts in one province (5301 Kab. Kupang, 5302 TTS, in 53
 * NTT) and a box in another province. A district operator on a phone sees only its district in the
 * overview, the box list and the box page (another district's box is 404), with the box's health,
 * its charts (uPlot, served by the hub) and a backup asked from the box page. A province operator
 * sees both districts, drills down province → kabupaten → box, and watches a box that went silent
 * turn offline on the overview without a reload (the hub's clock moved, its sweep run). No script
 * error, no CSP violation, nothing from outside the hub. Screenshots in test-artifacts/hub-fleet/.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoxStatus } from '../central/contract/index.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { freshArtifacts, launchChromium, signInOnPage as signIn, watchedPage } from './support/hub-chromium.ts';
import { boxes, operators, startOperatorHub, type OperatorHub } from './support/hub-operators.ts';
import { until } from './support/wait.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/hub-fleet/', import.meta.url));
let h: OperatorHub;
let browser: Browser;
let t = Date.parse('2026-12-03T02:00:00Z');
const now = () => new Date(t);

/** What a box reports (status v2), as a simulated box would. */
const status = (pending: number): BoxStatus => ({
  v: 2,
  kind: 'status',
  at: now().toISOString(),
  hello: false,
  pending,
  parked: 0,
  bytesPending: pending * 800,
  oldestPendingAgeSeconds: pending ? 42 : null,
  lastSyncAt: now().toISOString(),
  lastError: null,
  sw: '1.4.2',
  bootId: '0a1b2c3d-4e5f',
  uptimeS: 3 * 86400 + 3600 * 4 + 60 * 7,
  uncleanStops: 0,
  disk: { free: 21e9, total: 32e9 },
  mem: { box: 150 * 1_048_576, relay: 60 * 1_048_576 },
  load: 0.4,
  dbBytes: 80 * 1_048_576,
  backup: { at: new Date(t - 3_600_000).toISOString(), bytes: 12 * 1_048_576, ok: true },
  clock: { trusted: true, offsetMs: 300 },
  certExpiresAt: new Date(t + 80 * 86_400_000).toISOString(),
  relay: { calls: 2, good: 2, restarts: 0 },
  queue: { tickets: 40, served: 31, medianWaitS: 900 },
  storage: 'ok',
});

/** Every box of the setup reports, except those named; the hub writes the reports. */
async function report(except: string[] = []) {
  for (const b of Object.values(boxes)) if (!except.includes(b.id)) h.hub.fleet.report(b.id, status(3 + Math.round((t / 60_000) % 5)));
  await h.hub.fleet.flush();
}

beforeAll(async () => {
  freshArtifacts(ARTIFACTS);
  h = await startOperatorHub({ now, fleet: { now, sweepEveryMs: 0, flushEveryMs: 0 } });
  await h.db.query(
    `INSERT INTO regions (code, name) VALUES ('53', 'Nusa Tenggara Timur'), ('5301', 'Kab. Kupang'), ('5302', 'Kab. Timor Tengah Selatan'), ('51', 'Bali'), ('5101', 'Kab. Jembrana')`,
  );
  // An hour of reports, a minute apart: history for the charts.
  for (let i = 0; i < 60; i++) {
    await report();
    t += 60_000;
  }
  await report();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

// The other district's box answers 404 on purpose (checked as such).
const watched = (viewport: { width: number; height: number }) => watchedPage(browser, h.hub.url, viewport, [404]);
const signInOnPage = (page: Page, username: string) => signIn(page, h.hub.url, username, '/fleet');

const live = (page: Page) => until('the page’s live updates connected', async () => (await page.getByTestId('live').getAttribute('data-live')) === 'on');

describe('the fleet console in Chromium', () => {
  it('a district operator on a phone sees only its district in the overview, the list and the box page, and asks its box for a backup', async () => {
    const { ctx, page, problems } = await watched({ width: 390, height: 844 });
    try {
      await signInOnPage(page, operators.district.username);
      await page.goto(`${h.hub.url}/fleet`);
      expect(await page.getByTestId('fleet-region').textContent()).toBe('5301 Kab. Kupang');
      expect(await page.getByTestId(`fleet-box-${boxes.kupang.id}`).count()).toBe(1);
      expect(await page.getByTestId(`fleet-box-${boxes.soe.id}`).count()).toBe(0);
      expect(await page.locator('[data-count="total:online"]').textContent()).toBe('1');
      expect(await page.locator('[data-count="total:total"]').textContent()).toBe('1');
      await live(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'district-overview-phone.png'), fullPage: true });

      await page.goto(`${h.hub.url}/boxes`);
      expect(await page.getByTestId(`box-${boxes.kupang.id}`).count()).toBe(1);
      expect(await page.getByTestId(`box-${boxes.soe.id}`).count()).toBe(0);

      await page.goto(`${h.hub.url}/fleet`);
      await Promise.all([page.waitForURL(`**/fleet/boxes/${boxes.kupang.id}`), page.locator(`a[href="/fleet/boxes/${boxes.kupang.id}"]`).click()]);
      expect(await page.getByTestId('box-state').getAttribute('data-state')).toBe('online');
      expect(await page.locator('[data-health=version]').textContent()).toBe('1.4.2');
      expect(await page.locator('[data-health=disk]').textContent()).toContain('65.6%');
      expect(await page.locator('[data-health=uptime]').textContent()).toBe('3 hari 4 jam 7 menit');
      expect(await page.locator('[data-health=backlog]').textContent()).toMatch(/menunggu, 0 diparkir, tertua 42 dtk$/);
      // Its charts, drawn by uPlot from the hub's history (an hour of reports).
      await until('the charts drawn', async () => Number(await page.locator('main').getAttribute('data-charted')) >= 60);
      expect(await page.locator('[data-chart=backlog] canvas').count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'district-box-phone.png'), fullPage: true });

      await Promise.all([page.waitForURL(/\/jobs\?id=/), page.getByTestId('ask-backup').locator('button').click()]);
      expect(['queued', 'sent']).toContain(await page.getByTestId(`run-state-${boxes.kupang.id}`).getAttribute('data-state'));
      await page.goto(`${h.hub.url}/fleet/boxes/${boxes.kupang.id}`);
      expect(await page.getByTestId('box-jobs').textContent()).toContain('cadangkan sekarang');

      // Another district's box is not there.
      const other = await page.goto(`${h.hub.url}/fleet/boxes/${boxes.soe.id}`);
      expect(other?.status()).toBe(404);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 180_000);

  it('without JavaScript both pages are still complete but for the charts, which say why', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID', javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      await signInOnPage(page, operators.district.username);
      await page.goto(`${h.hub.url}/fleet`);
      expect(await page.locator(`[data-box-state="${boxes.kupang.id}"]`).textContent()).toBe('daring');
      expect(await page.getByTestId('live').textContent()).toBe('');
      await page.goto(`${h.hub.url}/fleet/boxes/${boxes.kupang.id}`);
      expect(await page.locator('[data-health=version]').textContent()).toBe('1.4.2');
      expect(await page.locator('main').textContent()).toContain('Grafik memerlukan JavaScript');
      await page.screenshot({ path: join(ARTIFACTS, 'district-box-no-script.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('a province operator sees both districts, drills down, and sees a silent box turn offline without a reload', async () => {
    const { ctx, page, problems } = await watched({ width: 1280, height: 800 });
    try {
      await signInOnPage(page, operators.province.username);
      await page.goto(`${h.hub.url}/fleet`);
      expect(await page.getByTestId('fleet-region').textContent()).toBe('53 Nusa Tenggara Timur');
      expect(await page.getByTestId('region-5301').count()).toBe(1);
      expect(await page.getByTestId('region-5302').count()).toBe(1);
      expect(await page.getByTestId('region-5101').count()).toBe(0);
      expect(await page.locator('[data-count="total:online"]').textContent()).toBe('2');
      await page.screenshot({ path: join(ARTIFACTS, 'province-overview.png'), fullPage: true });

      // Province → kabupaten → box.
      await Promise.all([page.waitForURL('**/fleet?region=5302'), page.getByTestId('region-5302').locator('a').click()]);
      expect(await page.getByTestId(`fleet-box-${boxes.soe.id}`).count()).toBe(1);
      await Promise.all([page.waitForURL(`**/fleet/boxes/${boxes.soe.id}`), page.locator(`a[href="/fleet/boxes/${boxes.soe.id}"]`).click()]);
      expect(await page.getByTestId('box-state').getAttribute('data-state')).toBe('online');
      await page.goto(`${h.hub.url}/fleet`);

      // The Kupang box goes dark; the others go on reporting. Nothing reloads the page.
      await live(page);
      await page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });
      for (let i = 0; i < 4; i++) {
        t += 60_000;
        await report([boxes.kupang.id]);
      }
      await h.hub.fleet.sweep();
      await until('the silent box shown offline', async () => (await page.locator('[data-count="5301:offline"]').textContent()) === '1');
      expect(await page.locator('[data-count="5301:online"]').textContent()).toBe('0');
      expect(await page.locator('[data-count="total:offline"]').textContent()).toBe('1');
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'province-box-offline-live.png'), fullPage: true });

      // The district page of it, and the box's own page, live too: it reports again.
      await page.goto(`${h.hub.url}/fleet?region=5301`);
      expect(await page.locator(`[data-box-state="${boxes.kupang.id}"]`).getAttribute('data-state')).toBe('offline');
      await live(page);
      t += 60_000;
      await report();
      await until('the box shown online again', async () => (await page.locator(`[data-box-state="${boxes.kupang.id}"]`).getAttribute('data-state')) === 'online');
      await page.goto(`${h.hub.url}/fleet?region=5301&lang=en`);
      expect(await page.locator(`[data-box-state="${boxes.kupang.id}"]`).textContent()).toBe('online');
      await page.screenshot({ path: join(ARTIFACTS, 'province-district-en.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 180_000);

  it('a box enrolled while the overview is open shows there without a reload: a new district row in the province, a new row in the district', async () => {
    const { ctx, page, problems } = await watched({ width: 1280, height: 800 });
    const notReloaded = () => page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded);
    const markLoaded = () =>
      page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });
    /** A box enrolled as the CLI enrols one, placed in its district, and its first report. */
    const enrolAndReport = async (id: string, region: string) => {
      await enrolDevice(h.db, { facilityCode: `${region}P09`, deviceId: id, name: `Puskesmas ${id}` });
      await h.db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [id, region]);
      h.hub.fleet.report(id, status(1));
      await h.hub.fleet.flush();
    };
    try {
      await signInOnPage(page, operators.province.username);
      await h.db.query(`INSERT INTO regions (code, name) VALUES ('5303', 'Kab. Timor Tengah Utara')`);
      await page.goto(`${h.hub.url}/fleet`);
      expect(await page.getByTestId('region-5303').count()).toBe(0);
      const before = Number(await page.locator('[data-count="total:total"]').textContent());
      await live(page);
      await markLoaded();

      await enrolAndReport('box-kefa-1', '5303');
      await until('the new district’s row', async () => (await page.locator('[data-count="5303:online"]').textContent()) === '1');
      expect(await page.getByTestId('region-5303').locator('a').textContent()).toBe('5303 Kab. Timor Tengah Utara');
      expect(await page.locator('[data-count="total:total"]').textContent()).toBe(String(before + 1));
      // In code order: after 5302, before the totals.
      expect(await page.locator('[data-region-row]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.regionRow))).toEqual(['5301', '5302', '5303']);
      expect(await notReloaded()).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'province-new-district-live.png'), fullPage: true });

      await page.goto(`${h.hub.url}/fleet?region=5301`);
      expect(await page.getByTestId('fleet-box-box-kupang-2').count()).toBe(0);
      await live(page);
      await markLoaded();
      await enrolAndReport('box-kupang-2', '5301');
      await until('the new box’s row', async () => (await page.getByTestId('fleet-box-box-kupang-2').count()) === 1);
      const row = page.getByTestId('fleet-box-box-kupang-2');
      await until('the new box shown online', async () => (await row.locator('[data-box-state]').getAttribute('data-state')) === 'online');
      expect(await row.locator('[data-box-state]').textContent()).toBe('daring');
      expect(await row.locator('[data-box-reason]').textContent()).toBe('melapor');
      expect(await row.locator('td').nth(1).textContent()).toBe('5301P09 Puskesmas box-kupang-2');
      expect(await page.locator('[data-count="total:total"]').textContent()).toBe('2');
      expect(await notReloaded()).toBe(true);
      // Its link leads to its page.
      await Promise.all([page.waitForURL('**/fleet/boxes/box-kupang-2'), row.locator('a').click()]);
      expect(await page.getByTestId('box-state').getAttribute('data-state')).toBe('online');
      await page.goto(`${h.hub.url}/fleet?region=5301`);
      await page.screenshot({ path: join(ARTIFACTS, 'district-new-box-live.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 180_000);
});
