/**
 * Issue 17, spoken calls on the waiting-room TV (1920×1080) in Chromium, on a production box (no
 * demo seed): when the desk calls A-012 to Ruang 2, a TV whose browser has an Indonesian voice says
 * "Nomor antrean A dua belas, silakan ke Ruang dua" after the chime (not "A - 0 1 2"); a TV without
 * one flashes the number and chimes, saying nothing garbled. The browser's voices are stood in for
 * by a recorder (headless Chromium has none). axe-core: no serious or critical violation.
 * Screenshots in test-artifacts/office/spoken-call/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Actor } from '../appliance/clinic/audit.ts';
import { seriousA11y, startOfficeBox, type OfficeBox } from './support/office-box.ts';

let o: OfficeBox;
let nurse: Actor;

beforeAll(async () => {
  o = await startOfficeBox('spoken-call');
  nurse = { staffId: await o.account('ners.sari', 'Sari Wulandari', 'nurse'), role: 'nurse', name: 'Sari Wulandari', device: 'test' };
  for (let i = 0; i < 14; i++) await o.box.queue.take({ poli: 'umum', source: 'desk' });
  for (let i = 0; i < 11; i++) await o.box.queue.callNext('umum', 'Ruang 1', nurse);
}, 120_000);
afterAll(async () => {
  await o?.close();
}, 60_000);

/** A TV whose browser has these voices; what it says is recorded in window.spoken. */
async function tv(voices: string[]): Promise<Page> {
  const page = await o.newPage('tv');
  await page.addInitScript((langs: string[]) => {
    const w = window as unknown as { spoken: { text: string; lang: string }[] };
    w.spoken = [];
    const list = langs.map((lang) => ({ lang, name: lang, default: false, localService: true, voiceURI: lang }));
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: { getVoices: () => list, speak: (u: { text: string; lang: string }) => w.spoken.push({ text: u.text, lang: u.lang }), cancel() {} },
    });
    (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = class {
      text: string;
      lang = '';
      voice: unknown = null;
      rate = 1;
      constructor(text: string) {
        this.text = text;
      }
    };
  }, voices);
  await page.goto(`${o.box.url}/layar`);
  await page
    .locator('[data-testid=conn-state]')
    .filter({ hasText: /Terhubung|tersambung/i })
    .waitFor();
  await page.getByTestId('enable-chime').click();
  return page;
}

describe('spoken calls on the waiting-room TV', () => {
  it('an Indonesian voice says the number and the room in words', async () => {
    const page = await tv(['en-US', 'id-ID']);
    expect(await page.getByTestId('display-latest-label').innerText()).toBe('A-011');
    await o.box.queue.callNext('umum', 'Ruang 2', nurse);
    await page.waitForFunction(() => (window as unknown as { spoken: unknown[] }).spoken.length > 0);
    const spoken = await page.evaluate(() => (window as unknown as { spoken: { text: string; lang: string }[] }).spoken);
    expect(spoken).toEqual([{ text: 'Nomor antrean A dua belas, silakan ke Ruang dua', lang: 'id-ID' }]);
    expect(await page.getByTestId('display-latest-label').innerText()).toBe('A-012');
    await o.shot(page, 'tv-called');
    expect(await seriousA11y(page)).toEqual([]);
  }, 90_000);

  it('without an Indonesian voice: the flash and the chime, nothing said', async () => {
    const page = await tv(['en-US']);
    await o.box.queue.callNext('umum', 'Ruang 2', nurse);
    await page.locator('#now.flash').waitFor();
    expect(await page.getByTestId('display-latest-label').innerText()).toBe('A-013');
    expect(await page.evaluate(() => (window as unknown as { spoken: unknown[] }).spoken)).toEqual([]);
    expect(o.problems).toEqual([]);
  }, 90_000);
});
