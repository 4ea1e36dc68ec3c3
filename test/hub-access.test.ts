/**
 * Who may use the hub's web face: every route in the access table, walked without credentials,
 * with a wrong token, with malformed Authorization headers and with the right token (Bearer and
 * Basic). Only /healthz and /enrol (a new box's claim code is its credential) are public. A hub without an admin token serves nothing but /healthz and
 * does not start on a non-loopback address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConfigError, parseHubConfig } from '../central/config.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { hubRouteTable, sameSecret } from '../central/http/access.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';

const token = 'hub-admin-token-for-this-test-4b1f';
let db: HubDb;
let hub: Hub;
let openHub: Hub;

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  hub = await startHub(
    {
      httpPort: 0,
      httpHost: '127.0.0.1',
      brokerPort: 0,
      brokerHost: '127.0.0.1',
      adminToken: token,
      logLevel: 'silent',
      boxMqttUrl: 'mqtts://hub.example:8883',
      enrolAttemptsPerWindow: 1000,
    },
    { db, log: quietLog() },
  );
  // Loopback without a token: what `npm start` used to be.
  openHub = await startHub(
    { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', logLevel: 'silent', boxMqttUrl: 'mqtts://hub.example:8883', enrolAttemptsPerWindow: 1000 },
    { db, log: quietLog() },
  );
});
afterAll(async () => {
  await openHub?.close();
  await hub?.close();
  await db?.close();
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const bodies: Record<string, unknown> = {
  '/admin/referrals/:id/answer': { status: 'accepted' },
  '/admin/formulary': { items: [{ kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true }] },
};
const call = (base: string, r: (typeof hubRouteTable)[number], authorization?: string) =>
  fetch(`${base}${r.path.replace(':id', '3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f')}`, {
    method: r.method,
    headers: { ...(authorization !== undefined ? { authorization } : {}), ...(r.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    body: r.method === 'POST' ? JSON.stringify(bodies[r.path] ?? {}) : undefined,
    redirect: 'manual',
  });

/** A public route's answer to the walk's request: /healthz and the login form answer; the login POST (no user name) and /enrol (no claim) are 400. */
const publicStatus = (r: (typeof hubRouteTable)[number]) => (r.method === 'POST' ? 400 : 200);

const malformed = [
  'Basic %%%not-base64%%%',
  'Basic',
  'Bearer',
  'Digest abc',
  `Basic ${b64('no-colon-here')}`,
  'Basic /w==',
  'Bearer a b c',
  'Negotiate',
  `Basic ${'A'.repeat(5000)}`,
];

describe('hub route access', () => {
  it('every route states who may use it; only /healthz, the login form and /enrol are public', () => {
    expect(hubRouteTable.filter((r) => r.access.includes('public')).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /healthz', 'GET /login', 'POST /login', 'POST /enrol']);
    for (const r of hubRouteTable) expect(r.access.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
  });

  it.each(hubRouteTable.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: none, wrong, malformed and right credentials', async (_name, r) => {
    const isPublic = r.access.includes('public');
    const refused = async (res: Response, what: string) => {
      expect(res.status, `${what}`).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Basic realm="simpul-hub"/);
      const body = await res.json();
      expect(body, what).toMatchObject({ error: { code: 'unauthenticated', message: expect.any(String), details: {} } });
    };
    const none = await call(hub.url, r);
    if (isPublic) expect(none.status).toBe(publicStatus(r));
    else await refused(none, 'no credentials');
    for (const wrong of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${b64(`admin:${token}x`)}`, `Basic ${b64(`${token}:`)}`]) {
      const res = await call(hub.url, r, wrong);
      if (isPublic) expect(res.status).toBe(publicStatus(r));
      else await refused(res, `wrong: ${wrong}`);
    }
    for (const bad of malformed) {
      const res = await call(hub.url, r, bad);
      if (isPublic) expect(res.status, bad).toBe(publicStatus(r));
      else {
        await refused(res, `malformed: ${bad.slice(0, 40)}`);
      }
    }
    // A route for boxes only (access 'box', the release download): the admin token is not a box (403);
    // an enrolled box with its own secret is let in (404 here: no release was assigned to it).
    const boxOnly = r.access.includes('box') && !r.access.includes('admin');
    for (const right of [`Bearer ${token}`, `Basic ${b64(`anyone:${token}`)}`, `basic ${b64(`:${token}`)}`]) {
      const res = await call(hub.url, r, right);
      if (boxOnly) expect(res.status, right).toBe(403);
      else expect([401, 403, 500], `${right}: ${res.status}`).not.toContain(res.status);
    }
    if (boxOnly) {
      const box = await enrolDevice(db, { facilityCode: '5301P001' });
      const res = await call(hub.url, r, `Basic ${b64(`${box.deviceId}:${box.secret}`)}`);
      expect(res.status).toBe(404);
    }
  });

  it('a hub without an admin token serves only its public routes (health, login), and says why', async () => {
    for (const r of hubRouteTable) {
      for (const auth of [undefined, `Bearer ${token}`]) {
        const res = await call(openHub.url, r, auth);
        if (r.access.includes('public')) expect(res.status).toBe(publicStatus(r));
        else {
          expect(res.status, `${r.method} ${r.path} ${auth ?? 'none'}`).toBe(401);
          if (auth) expect((await res.json()).error.message).toMatch(/SIMPUL_HUB_ADMIN_TOKEN/);
        }
      }
    }
  });

  it('an anonymous answer to a referral queues nothing for the box', async () => {
    const before = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink`)).rows[0].n;
    for (const base of [hub.url, openHub.url]) {
      const res = await call(base, hubRouteTable.find((r) => r.path === '/admin/referrals/:id/answer')!);
      expect(res.status).toBe(401);
    }
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink`)).rows[0].n).toBe(before);
  });

  it('an address nobody serves: 401 without credentials, 404 with them; a cross-site POST is refused', async () => {
    expect((await fetch(`${hub.url}/no/such/page`)).status).toBe(401);
    const nf = await fetch(`${hub.url}/no/such/page?lang=en`, { headers: { authorization: `Bearer ${token}` } });
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: { code: 'route_not_found', message: 'No such address.', details: {} } });
    const xsite = await fetch(`${hub.url}/admin/formulary`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(xsite.status).toBe(403);
    expect((await xsite.json()).error.code).toBe('csrf');
  });

  it('refuses to start on a non-loopback address without an admin token, naming the setting', async () => {
    expect(() => parseHubConfig({ httpHost: '0.0.0.0' })).toThrow(HubConfigError);
    expect(() => parseHubConfig({ httpHost: '0.0.0.0' })).toThrow(/adminToken: required \(SIMPUL_HUB_ADMIN_TOKEN\)/);
    expect(() => parseHubConfig({ httpHost: '192.168.1.10' })).toThrow(/adminToken/);
    expect(parseHubConfig({ httpHost: '0.0.0.0', adminToken: token }).adminToken).toBe(token);
    expect(parseHubConfig({ httpHost: '127.0.0.1' }).adminToken).toBeUndefined();
    await expect(startHub({ httpHost: '0.0.0.0', httpPort: 0, brokerPort: 0, logLevel: 'silent' }, { db, log: quietLog() })).rejects.toThrow(/adminToken/);
  });

  it('compares tokens whole', async () => {
    expect(await sameSecret(token, token)).toBe(true);
    expect(await sameSecret(token, `${token} `)).toBe(false);
    expect(await sameSecret('', token)).toBe(false);
  });
});
