/**
 * Operator accounts and sessions at the hub: the login throttle (counted before the hash, so
 * guesses sent at once are not all checked), the session cookie's flags, the login form's CSRF
 * value, sign-out and expiry ending a session, and the CLI that makes the first national operator.
 * The hub's clock is injected: waits pass by moving it.
 */
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as hubCli } from '../central/cli.ts';
import { main as provisioningCli } from '../provisioning/cli.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { openHubDatabase } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { ADMIN_TOKEN, operators, PASSWORD, signIn, startOperatorHub, type OperatorHub } from './support/hub-operators.ts';

let clock = new Date('2026-12-03T08:00:00Z');
let h: OperatorHub;
let secureHub: Hub;

beforeAll(async () => {
  h = await startOperatorHub({ now: () => clock });
  secureHub = await startHub(
    { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', adminToken: ADMIN_TOKEN, logLevel: 'silent', secureCookies: true },
    { db: h.db, log: quietLog(), now: () => clock },
  );
}, 60_000);
afterAll(async () => {
  await secureHub?.close();
  await h?.close();
});

const login = (username: string, password: string, url = h.hub.url) =>
  fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('operator sign-in', () => {
  it('is throttled per account and address: 5 free failures, then a wait even for the right password; the wait passes with the clock', async () => {
    const who = operators.district2.username;
    for (let i = 0; i < 5; i++) expect((await login(who, `salah-${i}`)).status).toBe(401);
    const held = await login(who, PASSWORD);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBe(30);
    expect(((await held.json()) as { error: { code: string } }).error.code).toBe('throttled');
    clock = new Date(clock.getTime() + 31_000);
    expect((await login(who, PASSWORD)).status).toBe(200);
  });

  it('counts a guess before the hash runs: of 12 guesses sent at once, only the 5 free ones are checked', async () => {
    const who = operators.province.username;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => login(who, `tebakan-${i}`).then((r) => r.status)));
    expect(answers.filter((s) => s === 401).length).toBe(5);
    expect(answers.filter((s) => s === 429).length).toBe(7);
    clock = new Date(clock.getTime() + 31_000);
  });

  it('a session cookie: HttpOnly, SameSite=Strict, whole site; Secure when the hub is told it is behind TLS', async () => {
    const plain = await login(operators.national.username, PASSWORD);
    expect(plain.status).toBe(200);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^simpul_hub_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const secure = await login(operators.national.username, PASSWORD, secureHub.url);
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure/);
    // The hub keeps a hash of the cookie, never the cookie.
    const token = /simpul_hub_session=([^;]+)/.exec(cookie)![1];
    const { rows } = await h.db.query<{ token_hash: string }>(`SELECT token_hash FROM operator_sessions`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
  });

  it('the login form needs the value this browser got with it (no login CSRF)', async () => {
    const form = new URLSearchParams({ username: operators.national.username, password: PASSWORD, csrf: 'made-up' }).toString();
    const forged = await fetch(`${h.hub.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, redirect: 'manual' });
    expect(forged.status).toBe(403);
    const page = await fetch(`${h.hub.url}/login`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
    const cookie = /simpul_hub_login=([^;]+)/.exec(page.headers.get('set-cookie')!)![1];
    const ok = await fetch(`${h.hub.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `simpul_hub_login=${cookie}` },
      body: new URLSearchParams({ username: operators.national.username, password: PASSWORD, csrf }).toString(),
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
  });

  it('sign-out ends the session at the hub; a session also ends after 12 hours', async () => {
    const s = await signIn(h.hub.url, operators.national.username);
    expect((await fetch(`${h.hub.url}/api/devices`, { headers: { cookie: s.cookie } })).status).toBe(200);
    const out = await fetch(`${h.hub.url}/logout`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: '{}' });
    expect(out.status).toBe(200);
    expect((await fetch(`${h.hub.url}/api/devices`, { headers: { cookie: s.cookie } })).status).toBe(401);
    const later = await signIn(h.hub.url, operators.national.username);
    clock = new Date(clock.getTime() + 12 * 3_600_000 + 1000);
    expect((await fetch(`${h.hub.url}/api/devices`, { headers: { cookie: later.cookie } })).status).toBe(401);
  });

  it('failed, throttled and successful sign-ins are in the audit log, without the password typed', async () => {
    const { rows } = await h.db.query<{ actor: string; result: string; address: string }>(`SELECT actor, result, address FROM audit_log WHERE action = 'login'`);
    expect(rows.some((r) => r.result === 'failed' && r.actor === operators.district2.username)).toBe(true);
    expect(rows.some((r) => r.result === 'throttled')).toBe(true);
    expect(rows.some((r) => r.result === 'ok' && r.address === '127.0.0.1')).toBe(true);
    const all = JSON.stringify((await h.db.query(`SELECT * FROM audit_log`)).rows);
    expect(all).not.toContain('salah-');
    expect(all).not.toContain('tebakan-');
    expect(all).not.toContain(PASSWORD);
  });
});

describe('central/cli.ts operator add', () => {
  it('makes the first national operator (password on stdin), refuses a short password or a scope that does not fit the role', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'simpul-hub-cli-'));
    const out: string[] = [];
    const origLog = console.log,
      origErr = console.error;
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    console.error = (...a: unknown[]) => void out.push(a.join(' '));
    try {
      const env = { SIMPUL_HUB_DATA_DIR: dataDir };
      expect(await hubCli(['operator', 'add', 'pusat', '--role', 'national', '--full-name', 'Pusat Data'], env, Readable.from([`${PASSWORD}\n`]))).toBe(0);
      expect(await hubCli(['operator', 'add', 'pendek', '--role', 'national'], env, Readable.from(['pendek\n']))).toBe(1);
      expect(await hubCli(['operator', 'add', 'kab', '--role', 'district', '--scope', '53'], env, Readable.from([`${PASSWORD}\n`]))).toBe(1);
      expect(await hubCli(['operator', 'add', 'pusat', '--role', 'national'], env, Readable.from([`${PASSWORD}\n`]))).toBe(1);
      expect(await hubCli(['operator', 'add', 'lama', '--role', 'province', '--scope', '53'], env, Readable.from([`${PASSWORD}\n`]))).toBe(0);
      expect(await hubCli(['operator', 'disable', 'lama'], env)).toBe(0);
      expect(await hubCli(['operator', 'disable', 'tidak-ada'], env)).toBe(1);
      const db = await openHubDatabase({ dataDir, log: () => {} });
      try {
        expect((await db.query(`SELECT username, role, scope, disabled_at IS NOT NULL AS disabled FROM operators ORDER BY username`)).rows).toEqual([
          { username: 'lama', role: 'province', scope: '53', disabled: true },
          { username: 'pusat', role: 'national', scope: '', disabled: false },
        ]);
        const audit = (await db.query<{ action: string; result: string }>(`SELECT action, result FROM audit_log ORDER BY seq`)).rows;
        expect(audit.map((a) => `${a.action}:${a.result}`)).toEqual([
          'operator_create:ok',
          'operator_create:refused',
          'operator_create:refused',
          'operator_create:refused',
          'operator_create:ok',
          'operator_disable:ok',
          'operator_disable:refused',
        ]);
        expect(JSON.stringify((await db.query(`SELECT * FROM audit_log`)).rows)).not.toContain(PASSWORD);
      } finally {
        await db.close();
      }
    } finally {
      console.log = origLog;
      console.error = origErr;
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(out.join('\n')).toContain('operator pusat (national) created');
  }, 180_000);
});

describe('provisioning/cli.ts enrol and revoke are in the audit log', () => {
  it('who (the shell user), what, on which box, the result; a revoke of an unknown box is refused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'simpul-prov-audit-'));
    const origLog = console.log,
      origErr = console.error;
    console.log = () => {};
    console.error = () => {};
    try {
      const env = { SIMPUL_HUB_DATA_DIR: dataDir };
      expect(
        await provisioningCli(['enrol', '--facility', '5301P001', '--mqtt-url', 'mqtt://127.0.0.1:1883', '--out', join(dataDir, 'box.json'), '--device-id', 'box-audit-1'], env),
      ).toBe(0);
      expect(await provisioningCli(['revoke', 'box-audit-1'], env)).toBe(0);
      expect(await provisioningCli(['revoke', 'no-such-box'], env)).toBe(1);
      const db = await openHubDatabase({ dataDir, log: () => {} });
      try {
        const rows = (await db.query<{ actor: string; action: string; target: string; result: string }>(`SELECT actor, action, target, result FROM audit_log ORDER BY seq`)).rows;
        expect(rows.map((r) => `${r.action} ${r.target} ${r.result}`)).toEqual([
          'device_enrol box box-audit-1 ok',
          'device_revoke box box-audit-1 ok',
          'device_revoke box no-such-box refused',
        ]);
        for (const r of rows) expect(r.actor).toMatch(/^cli:/);
      } finally {
        await db.close();
      }
    } finally {
      console.log = origLog;
      console.error = origErr;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
