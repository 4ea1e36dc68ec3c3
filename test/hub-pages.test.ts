/**
 * The hub's pages (status per box, referrals to answer): each in Bahasa Indonesia and English,
 * the language chosen as on the box (?lang=, then the cookie, then Accept-Language; Indonesian by
 * default), what boxes and clinics wrote shown as text (a facility name, a patient name or a
 * referral reason holding `<script>` never runs), and both pages loaded once in Chromium: no
 * script error, no CSP violation, nothing fetched from outside the hub, and the answer form works.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startHub, type Hub } from '../central/hub.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';

const token = 'hub-pages-test-token-7c2e';
const auth = { authorization: `Bearer ${token}` };
const facilityName = 'Puskesmas <script>alert("fasilitas")</script> & Co';
const patientName = '<script>alert("pasien")</script> Siti';
const reason = '<img src=x onerror=alert("alasan")> nyeri dada kiri';
const boxError = '<script>alert("galat")</script>';
const referralId = randomUUID();
let db: HubDb;
let hub: Hub;
let deviceId: string;

/** The text a browser shows for an HTML fragment's character references (enough for these pages). */
const decode = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|lt|gt|amp|quot|apos);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()];
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  hub = await startHub({ httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', adminToken: token, logLevel: 'silent' }, { db, log: quietLog() });
  ({ deviceId } = await enrolDevice(db, { facilityCode: '0112P001', name: facilityName }));
  const status = {
    v: 1,
    kind: 'status',
    at: new Date().toISOString(),
    hello: false,
    pending: 3,
    parked: 1,
    bytesPending: 900,
    oldestPendingAgeSeconds: 42.4,
    lastSyncAt: null,
    lastError: boxError,
  };
  await db.query(`UPDATE devices SET last_seen_at = now(), last_status = $2 WHERE id = $1`, [deviceId, JSON.stringify(status)]);
  const payload = {
    id: referralId,
    version: 1,
    status: 'issued',
    facility: '0112P001',
    emergency: true,
    specialty: 'Jantung',
    reason,
    patient: { name: patientName },
    hospital: { code: '0112R001', name: 'RSUD Brebes' },
    diagnosis: { code: 'I20.0', name: 'Angina tidak stabil' },
  };
  await db.query(`INSERT INTO records (device_id, type, schema_version, entity_id, entity_version, box_seq, payload, created_at) VALUES ($1,'referral',1,$2,1,1,$3,now())`, [
    deviceId,
    referralId,
    JSON.stringify(payload),
  ]);
  await db.query(`INSERT INTO entities (device_id, type, entity_id, version) VALUES ($1,'referral',$2,1)`, [deviceId, referralId]);
});
afterAll(async () => {
  await hub?.close();
  await db?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${hub.url}${path}`, { headers: { ...auth, ...headers } });

/** Words each page must show in each language (the catalog's, spelled out so a test reads as the page does). */
const pages = [
  { path: '/', id: ['Simpul Pusat', 'Jawab rujukan', '3 menunggu, 1 diparkir'], en: ['Simpul central', 'Answer referrals', '3 pending, 1 parked'] },
  {
    path: '/admin/referrals',
    id: ['Rujukan di hub', 'GAWAT DARURAT', 'jawab sebagai rumah sakit', 'diterbitkan'],
    en: ['Referrals at the hub', 'EMERGENCY', 'answer as the hospital', 'issued'],
  },
];

describe('hub pages', () => {
  it.each(pages.flatMap((p) => (['id', 'en'] as const).map((lang) => [p.path, lang, p] as const)))(
    '%s in %s: its words, and what boxes wrote shown as text',
    async (path, lang, p) => {
      const res = await get(`${path}?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'none'/);
      const body = await res.text();
      expect(body).toMatch(new RegExp(`^<!doctype html><html lang="${lang}"`, 'i'));
      for (const w of p[lang]) expect(decode(body), w).toContain(w);
      // The other language's words are not there.
      for (const w of p[lang === 'id' ? 'en' : 'id']) if (!p[lang].includes(w)) expect(decode(body), w).not.toContain(w);
      // No markup from the data: the page has no script element at all.
      expect(body).not.toMatch(/<script|<img/i);
      const text = decode(body);
      if (path === '/') {
        expect(text).toContain(facilityName);
        expect(text).toContain(boxError);
      } else {
        expect(text).toContain(patientName);
        expect(text).toContain(reason);
      }
      // The same page in the other language is one link away.
      expect(body).toContain(`href="${path}?lang=${lang === 'id' ? 'en' : 'id'}"`);
    },
  );

  it('the language comes from ?lang= (kept in a cookie), then the cookie, then Accept-Language; Indonesian by default', async () => {
    const lang = async (path: string, headers: Record<string, string> = {}) => /<html lang="(\w+)"/.exec(await (await get(path, headers)).text())?.[1];
    const chosen = await get('/?lang=en');
    expect(chosen.headers.get('set-cookie')).toMatch(/^lang=en;/);
    await chosen.text();
    expect(await lang('/')).toBe('id');
    expect(await lang('/?lang=xx')).toBe('id');
    expect(await lang('/', { cookie: 'lang=en' })).toBe('en');
    expect(await lang('/?lang=id', { cookie: 'lang=en' })).toBe('id');
    expect(await lang('/admin/referrals', { 'accept-language': 'en-GB,en;q=0.9' })).toBe('en');
    expect(await lang('/admin/referrals', { 'accept-language': 'id-ID,id;q=0.9,en;q=0.8' })).toBe('id');
    expect(await lang('/admin/referrals', { 'accept-language': 'en', cookie: 'lang=id' })).toBe('id');
    // Errors follow the same choice.
    const nf = await get('/no/such/page', { cookie: 'lang=en' });
    expect((await nf.json()).error.message).toBe('No such address.');
  });

  it('in Chromium: both pages in both languages without a script error or CSP violation, nothing from outside, and the answer form queues an answer', async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
        timeout: 60_000,
      });
      // The admin token on every request (a browser without it is sent to the operators' login form, which has its own tests).
      const ctx = await browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${Buffer.from(`operator:${token}`).toString('base64')}` }, locale: 'id-ID' });
      const page = await ctx.newPage();
      const problems: string[] = [];
      const hubOrigin = new URL(hub.url).origin;
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('request', (r) => {
        if (!r.url().startsWith(hubOrigin) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`);
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused: CSP ${e.violatedDirective} ${e.blockedURI}`));
      });
      for (const lang of ['id', 'en']) {
        for (const path of ['/', '/admin/referrals']) {
          const res = await page.goto(`${hub.url}${path}?lang=${lang}`);
          expect(res?.status(), `${path} ${lang}`).toBe(200);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
        }
      }
      // The facility's name is text on the page, as written.
      await page.goto(`${hub.url}/?lang=id`);
      expect(await page.getByTestId(`device-${deviceId}`).textContent()).toContain(facilityName);

      await page.goto(`${hub.url}/admin/referrals`);
      const form = page.getByTestId(`answer-${referralId}`);
      await form.locator('select[name=status]').selectOption('scheduled');
      await form.locator('input[name=scheduledFor]').fill('2030-01-15');
      await form.locator('input[name=note]').fill('Poli jantung <b>jam 08.00</b>');
      const posted = page.waitForResponse((r) => r.url().endsWith('/answer'));
      await form.locator('button').click();
      expect((await posted).status()).toBe(303);
      await page.getByTestId(`referral-${referralId}`).getByText('jawaban menunggu diambil kotak').waitFor({ timeout: 10_000 });
      expect(page.url()).toBe(`${hub.url}/admin/referrals`);
      const queued = await db.query<{ body: { answer: unknown } }>(`SELECT body FROM downlink WHERE device_id = $1 AND kind = 'referral_answer'`, [deviceId]);
      expect(queued.rows.map((r) => r.body.answer)).toEqual([{ status: 'scheduled', scheduledFor: '2030-01-15', note: 'Poli jantung <b>jam 08.00</b>' }]);
      expect(problems).toEqual([]);
    } finally {
      await browser?.close().catch(() => undefined);
    }
  });
});
