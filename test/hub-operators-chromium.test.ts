/**
 * The operators' console in Chromium: a district operator on a phone-sized screen is sent to the
 * login form, signs in, sees only its district's box, asks that box for a backup from the jobs
 * page (the job shows for its box), finds its sign-in and the job in the audit log, and signs
 * out; a province operator sees both districts' boxes and not another province's. No script
 * error, no CSP violation, nothing loaded from outside the hub. Screenshots in
 * test-artifacts/hub-operators/.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshArtifacts, launchChromium, signInOnPage as signIn, watchedPage } from './support/hub-chromium.ts';
import { boxes, operators, PASSWORD, startOperatorHub, type OperatorHub } from './support/hub-operators.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/hub-operators/', import.meta.url));
let h: OperatorHub;
let browser: Browser;

beforeAll(async () => {
  freshArtifacts(ARTIFACTS);
  h = await startOperatorHub();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

// The test's wrong password (401) and its job for another district's box (404) answer so on purpose, and are checked as such.
const watched = (viewport: { width: number; height: number }) => watchedPage(browser, h.hub.url, viewport, [401, 404]);
const signInOnPage = (page: Page, username: string) => signIn(page, h.hub.url, username);

describe('the operators’ console in Chromium', () => {
  it('a district operator on a phone sees only its district’s box, sends it a backup job, finds it in the audit log, signs out', async () => {
    const { ctx, page, problems } = await watched({ width: 390, height: 844 });
    try {
      // A wrong password first: the form says so, in Indonesian.
      await page.goto(`${h.hub.url}/login`);
      await page.locator('input[name=username]').fill(operators.district.username);
      await page.locator('input[name=password]').fill('bukan-kata-sandinya');
      await page.locator('button[type=submit]').click();
      await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('salah');

      await signInOnPage(page, operators.district.username);
      await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toContain('kupang');
      expect(await page.getByTestId(`device-${boxes.kupang.id}`).count()).toBe(1);
      expect(await page.getByTestId(`device-${boxes.soe.id}`).count()).toBe(0);
      expect(await page.getByTestId(`device-${boxes.bali.id}`).count()).toBe(0);
      // Usable on a phone: the page is no wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(ARTIFACTS, 'district-boxes-phone.png') });

      await page.goto(`${h.hub.url}/jobs`);
      const form = page.getByTestId('job-form');
      await form.locator('select[name=action]').selectOption('backup');
      await form.locator('select[name=targetKind]').selectOption('device');
      await form.locator('input[name=targetValue]').fill(boxes.kupang.id);
      await Promise.all([page.waitForURL(/\/jobs\?id=/), form.locator('button[type=submit]').click()]);
      const state = page.getByTestId(`run-state-${boxes.kupang.id}`);
      expect(['queued', 'sent']).toContain(await state.getAttribute('data-state'));
      await page.screenshot({ path: join(ARTIFACTS, 'district-job-phone.png') });

      // Another district's box is not there to be asked.
      await page.goto(`${h.hub.url}/jobs`);
      await form.locator('select[name=targetKind]').selectOption('device');
      await form.locator('input[name=targetValue]').fill(boxes.soe.id);
      await form.locator('button[type=submit]').click();
      await expect.poll(() => page.getByTestId('job-error').textContent()).toContain(boxes.soe.id);

      await page.goto(`${h.hub.url}/audit`);
      const audit = (await page.locator('table').textContent()) ?? '';
      expect(audit).toContain('job_create');
      expect(audit).toContain('login');
      expect(audit).not.toContain(PASSWORD);
      await page.screenshot({ path: join(ARTIFACTS, 'district-audit-phone.png') });

      await Promise.all([page.waitForURL(`${h.hub.url}/login`), page.getByTestId('logout').click()]);
      await page.goto(`${h.hub.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('a province operator on a laptop sees both of its districts’ boxes, and not another province’s', async () => {
    const { ctx, page, problems } = await watched({ width: 1280, height: 800 });
    try {
      await signInOnPage(page, operators.province.username);
      expect(await page.getByTestId(`device-${boxes.kupang.id}`).count()).toBe(1);
      expect(await page.getByTestId(`device-${boxes.soe.id}`).count()).toBe(1);
      expect(await page.getByTestId(`device-${boxes.bali.id}`).count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'province-boxes.png') });
      await page.goto(`${h.hub.url}/jobs?lang=en`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      // The district's job for its box is the province's to see as well.
      expect(await page.locator('table').last().textContent()).toContain(boxes.kupang.id);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
