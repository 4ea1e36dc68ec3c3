/**
 * Issue 17, spoken calls on the waiting-room TV (1920×1080) in Chromium, on a production box (no
 * demo seed): when the desk calls A-012 to Ruang 2, a TV whose browser has an Indonesian voice says
 * "Nomor antrean A dua belas, silakan ke Ruang dua" after the chime (not "A - 0 1 2"); a TV without
 * one says the same sentence with the clips the box ships (/suara/*.wav, made by espeak-ng), fetched
 * in order, answered as audio and played back to back by Web Audio. The browser's voices are stood
 * in for by a recorder (headless Chromium has none); what Web Audio plays is recorded by wrapping
 * AudioBufferSourceNode.start. axe-core: no serious or critical violation.
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

  it('without an Indonesian voice: the clips shipped with the box, in order, back to back', async () => {
    const page = await o.newPage('tv');
    await page.addInitScript(() => {
      const w = window as unknown as { played: { at: number; duration: number }[] };
      w.played = [];
      const start = AudioBufferSourceNode.prototype.start;
      AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, when?: number) {
        w.played.push({ at: when ?? 0, duration: this.buffer?.duration ?? 0 });
        return start.call(this, when);
      };
    });
    // Asked for in the order said (all at once); answered in whatever order they come.
    const asked: string[] = [];
    const answers = new Map<string, { status: number; type: string; bytes: number }>();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/suara/')) asked.push(new URL(r.url()).pathname);
    });
    page.on('response', async (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/suara/')) answers.set(path, { status: r.status(), type: r.headers()['content-type'] ?? '', bytes: (await r.body()).length });
    });
    // Headless Chromium has no voices at all: the TV as it would be on a set-top box without Indonesian.
    await page.goto(`${o.box.url}/layar`);
    await page
      .locator('[data-testid=conn-state]')
      .filter({ hasText: /Terhubung|tersambung/i })
      .waitFor();
    await page.getByTestId('enable-chime').click();
    await o.box.queue.callNext('umum', 'Ruang 2', nurse);
    await page.locator('#now.flash').waitFor();
    expect(await page.getByTestId('display-latest-label').innerText()).toBe('A-013');
    await page.waitForFunction(() => (window as unknown as { played: unknown[] }).played.length >= 7, null, { timeout: 60_000 });
    const said = ['nomor-antrean', 'huruf-a', 'tiga', 'belas', 'silakan-ke', 'ruang', 'dua'];
    expect(asked).toEqual(said.map((w) => `/suara/${w}.wav`));
    await expect.poll(() => answers.size).toBe(7);
    const clips = asked.map((url) => ({ url, ...answers.get(url)! }));
    for (const c of clips) expect([c.status, c.type], c.url).toEqual([200, 'audio/wav']);
    const played = await page.evaluate(() => (window as unknown as { played: { at: number; duration: number }[] }).played);
    // The chime's three notes are oscillators, not buffers: only the clips are recorded, each one
    // starting where the one before ends, in the order fetched (a 16-bit mono WAV's length tells its duration).
    expect(played.length).toBe(7);
    for (let i = 0; i < played.length; i++) {
      expect(played[i].duration, said[i]).toBeCloseTo((clips[i].bytes - 44) / 2 / 22050, 3);
      if (i > 0) expect(played[i].at, said[i]).toBeCloseTo(played[i - 1].at + played[i - 1].duration, 6);
    }
    await o.shot(page, 'tv-called-clips');
    expect(o.problems).toEqual([]);
  }, 120_000);
});
