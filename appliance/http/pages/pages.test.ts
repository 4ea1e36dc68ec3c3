import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { routeTable, type Access } from '../access.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import { roles, type Role } from '../../clinic/staff.ts';
import { assetBody } from './assets.ts';

/** The pages this file knows how to fill in; other engineers' pages (e.g. the referral letter) test themselves. */
const params: Record<string, string> = { ':token': demoIds.ticketToken, ':name': 'ticket.js', ':clip': 'dua.wav' };
const fill = (path: string) => path.replace(/:\w+/g, (p) => params[p] ?? p);
const fillable = (path: string) => (path.match(/:\w+/g) ?? []).every((p) => p in params);

const isOpen = (access: readonly Access[]) => access.includes('public') || access.includes('ticket');

describe('pages', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  const pages = () => routeTable().filter((r) => r.kind === 'page' && r.method === 'GET' && fillable(r.path));

  it('declares the pages with their access', () => {
    const paths = pages().map((r) => r.path);
    for (const p of [
      '/ambil',
      '/t/:token',
      '/layar',
      '/poster',
      '/qr/ambil.svg',
      '/staff/login',
      '/staff',
      '/staff/antrean',
      '/staff/admin',
      '/staff/pemeriksaan',
      '/staff/farmasi',
    ])
      expect(paths).toContain(p);
  });

  it('answers every page for each allowed role, redirects staff pages to login without a session, and refuses other roles', async () => {
    for (const r of pages()) {
      const path = fill(r.path);
      const anon = await box.call(path);
      if (isOpen(r.access)) {
        expect(anon.status, `${path} without a session`).toBeLessThan(400);
      } else {
        expect(anon.status, `${path} without a session`).toBe(302);
        expect(anon.headers.get('location')).toBe(`/staff/login?next=${encodeURIComponent(path)}`);
      }
      for (const role of roles) {
        const res = await (await box.as(role))(path);
        const allowed = isOpen(r.access) || r.access.includes(role as Role);
        if (allowed) expect(res.status, `${path} as ${role}`).toBeLessThan(400);
        else expect(res.status, `${path} as ${role}`).toBe(403);
      }
    }
  });

  it('gives the logged-in staff page the session’s CSRF token, and the role its own tiles', async () => {
    const nurse = await box.as('nurse');
    const html = await (await nurse('/staff')).text();
    const me = (await (await nurse('/api/v1/auth/me')).json()) as { csrfToken: string };
    expect(html).toContain(`<meta name="csrf-token" content="${me.csrfToken}"`);
    expect(html).toContain('data-testid="tile-antrean"');
    expect(html).not.toContain('data-testid="tile-admin"');
    const board = await (await nurse('/staff/antrean')).text();
    for (const id of ['call-next', 'poli-tab-umum', 'room-select', 'walkin-submit', 'patient-search', 'register-form']) expect(board).toContain(`data-testid="${id}"`);
    const exam = await (await (await box.as('doctor'))('/staff/pemeriksaan')).text();
    for (const id of ['exam-queue', 'icd10-search', 'formulary-search', 'rx-issue', 'referral-form', 'encounter-close', 'vital-systolic', 'soap-subjective'])
      expect(exam).toContain(`data-testid="${id}"`);
    const pharmacy = await (await (await box.as('pharmacist'))('/staff/farmasi')).text();
    for (const id of ['pharmacy-list', 'rx-tab-issued', 'stock-search']) expect(pharmacy).toContain(`data-testid="${id}"`);
  });

  it('links every home tile to a page the box has and the role may open', async () => {
    for (const role of roles) {
      const html = await (await (await box.as(role))('/staff')).text();
      const hrefs = [...html.matchAll(/<a class="tile" href="([^"]+)"/g)].map((m) => m[1]);
      expect(hrefs.length, role).toBeGreaterThan(0);
      for (const href of hrefs) {
        const route = routeTable().find((r) => r.kind === 'page' && r.method === 'GET' && r.path === href);
        expect(route, `${role}: ${href}`).toBeDefined();
        expect(isOpen(route!.access) || route!.access.includes(role as Role), `${role}: ${href}`).toBe(true);
      }
    }
  });

  it('keeps the login page’s way back to staff pages only', async () => {
    const ok = await (await box.call('/staff/login?next=%2Fstaff%2Fantrean')).text();
    expect(ok).toContain('"next":"/staff/antrean"');
    const evil = await (await box.call('/staff/login?next=https%3A%2F%2Fevil.example%2F')).text();
    expect(evil).toContain('"next":"/staff"');
    expect(evil).not.toContain('"next":"https');
  });

  async function pageWeight(path: string) {
    const html = await (await box.call(path)).text();
    let js = '';
    for (const m of html.matchAll(/<script src="([^"]+)"/g)) {
      const res = await box.call(m[1], { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      js += gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    }
    const gz = gzipSync(html).length + gzipSync(js).length;
    return { html, js, gz, raw: html.length + js.length };
  }

  it('keeps the patient pages under 100 KB gzipped, scripts included', async () => {
    const take = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } })).json()) as { link: string };
    for (const path of ['/ambil', take.link, '/layar']) {
      const w = await pageWeight(path);
      console.log(`page weight ${path.startsWith('/t/') ? '/t/:token' : path}: ${w.raw} B raw, ${w.gz} B gzipped`);
      expect(w.gz).toBeLessThan(100 * 1024);
    }
  });

  it('loads nothing from outside the box', async () => {
    const nurse = await box.as('nurse');
    const admin = await box.as('admin');
    const sources = [
      ...(await Promise.all(['/ambil', `/t/${demoIds.ticketToken}`, '/layar', '/poster', '/staff/login'].map(async (p) => (await pageWeight(p)).html + (await pageWeight(p)).js))),
      await (await nurse('/staff/antrean')).text(),
      await (await admin('/staff/admin')).text(),
      await (await (await box.as('doctor'))('/staff/pemeriksaan')).text(),
      await (await (await box.as('pharmacist'))('/staff/farmasi')).text(),
      ...['antrean', 'admin', 'pemeriksaan', 'farmasi', 'login', 'staff'].map((b) => assetBody(b)),
    ];
    for (const s of sources) {
      expect(s).not.toMatch(/(src|href|action)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(s).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
      expect(s).not.toMatch(/fetch\(\s*["']https?:/);
    }
  });

  it('switches to English with ?lang=en and remembers it in a cookie', async () => {
    const id = await (await box.call('/ambil')).text();
    expect(id).toContain('Ambil nomor antrean');
    expect(id).toContain('<html lang="id"');
    const res = await box.call('/ambil?lang=en');
    const en = await res.text();
    expect(en).toContain('Take a queue number');
    expect(en).toContain('<html lang="en"');
    expect(res.headers.get('set-cookie')).toMatch(/lang=en/);
    const again = await (await box.call(`/t/${demoIds.ticketToken}`, { headers: { cookie: 'lang=en' } })).text();
    expect(again).toContain('Your queue number');
    expect(again).toContain('href="/t/' + demoIds.ticketToken + '?lang=id"');
  });

  it('shows the ticket with its number, status and position, and the documents and consent sections', async () => {
    const take = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'gigi' } })).json()) as { link: string; ticket: { label: string } };
    const html = await (await box.call(take.link)).text();
    expect(html).toContain(`data-testid="ticket-label">${take.ticket.label}<`);
    expect(html).toContain('Menunggu');
    expect(html).toContain('data-testid="ticket-position">1<');
    expect(html).toContain('id="konsultasi"');
    expect(html).toContain('id="dokumen"');
    expect(html).toContain('akhir layanan hari ini');
  });

  it('says so for an unknown ticket link', async () => {
    const res = await box.call('/t/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Tiket tidak ditemukan');
    expect((await box.call('/t/x')).status).toBe(404);
  });

  it('takes a number without JavaScript through the form', async () => {
    const res = await box.call('/ambil', { method: 'POST', body: new URLSearchParams({ poli: 'kia' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(303);
    const link = res.headers.get('location')!;
    expect(link).toMatch(/^\/t\/[A-Za-z0-9_-]{32}$/);
    expect((await box.call(link)).status).toBe(200);
    const bad = await box.call('/ambil', { method: 'POST', body: new URLSearchParams({ poli: 'nope' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(bad.status).toBe(400);
  });

  it('draws the QR code to /ambil from the Host the phone used', async () => {
    const res = await box.call('/qr/ambil.svg', { headers: { host: 'simpul.local:8443' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg/);
    const layar = await (await box.call('/layar', { headers: { host: 'simpul.local:8443' } })).text();
    expect(layar).toContain('simpul.local:8443/ambil');
    const odd = await (await box.call('/poster', { headers: { host: '"><script>x' } })).text();
    expect(odd).not.toContain('<script>x');
  });

  it('serves the walk-in ticket QR only to desk staff', async () => {
    expect((await (await box.as('nurse'))(`/staff/qr/${demoIds.ticketToken}`)).status).toBe(200);
    expect((await (await box.as('nurse'))('/staff/qr/bad')).status).toBe(400);
    expect((await (await box.as('pharmacist'))(`/staff/qr/${demoIds.ticketToken}`)).status).toBe(403);
  });
});

describe('ticket expiry', () => {
  it('answers 410 on the ticket page after the day’s service', async () => {
    let now = new Date('2026-11-25T03:00:00Z'); // 10:00 WIB
    const box = await testBox({}, () => now);
    try {
      const take = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } })).json()) as { link: string };
      expect((await box.call(take.link)).status).toBe(200);
      now = new Date('2026-11-25T18:00:00Z'); // 01:00 WIB the next day
      const res = await box.call(take.link);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('tidak berlaku');
    } finally {
      await box.close();
    }
  });
});
