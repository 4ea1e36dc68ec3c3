/**
 * The hub console's Chromium tests share these steps: a fresh screenshots folder, Chromium started
 * headless, a browser context that records every problem a page shows (script error, CSP refusal,
 * a request leaving the hub), and an operator signing in on the login form.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { chromiumPath } from './chromium.ts';
import { PASSWORD } from './hub-operators.ts';

/** Empties (or makes) the folder a test keeps its screenshots in. */
export function freshArtifacts(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

export interface WatchedPage {
  ctx: BrowserContext;
  page: Page;
  /** What went wrong on the page; a test expects it empty. */
  problems: string[];
}

/**
 * A page in Indonesian at `viewport` that records its problems. `refusedOnPurpose`: the HTTP
 * statuses the test causes and checks itself (Chromium logs "Failed to load resource" for any 4xx).
 */
export async function watchedPage(browser: Browser, hubUrl: string, viewport: { width: number; height: number }, refusedOnPurpose: number[]): Promise<WatchedPage> {
  const ctx = await browser.newContext({ viewport, locale: 'id-ID' });
  const page = await ctx.newPage();
  const problems: string[] = [];
  const origin = new URL(hubUrl).origin;
  const onPurpose = (text: string) => refusedOnPurpose.some((s) => text.startsWith(`Failed to load resource: the server responded with a status of ${s}`));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !onPurpose(m.text())) || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`);
  });
  return { ctx, page, problems };
}

/** Opens `from` without a session (sent to the login form), signs in, and lands on the hub's first page. */
export async function signInOnPage(page: Page, hubUrl: string, username: string, from = '/') {
  await page.goto(`${hubUrl}${from}`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${hubUrl}/`), page.locator('button[type=submit]').click()]);
}
