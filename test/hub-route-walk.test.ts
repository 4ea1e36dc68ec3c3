/**
 * Every hub route, walked with every role (admin token, national, province, district operator)
 * and with none: the status each gets is the one access.ts documents — a role in the route's
 * `access` gets the route's own answer, another role 403, no credentials 401, a browser without
 * credentials asking for a page 303 to /login. Then what each role sees: only its region's boxes,
 * jobs and audit entries; and a session's write without its CSRF token is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubRouteTable, type HubRole, type HubRoute } from '../central/http/access.ts';
import { ADMIN_TOKEN, boxes, operators, signIn, startOperatorHub, type OperatorHub, type SignedIn } from './support/hub-operators.ts';

let h: OperatorHub;
const sessions: Partial<Record<Exclude<HubRole, 'admin'>, SignedIn>> = {};
let baliJob = '';

const formulary = { items: [{ kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true }] };
/** A request each route serves when allowed (its own answer below). */
const requests: Record<string, { body?: unknown; form?: Record<string, string>; path?: () => string; ok: number }> = {
  'GET /healthz': { ok: 200 },
  'GET /login': { ok: 200 },
  'POST /login': { body: {}, ok: 400 },
  'POST /logout': { body: {}, ok: 200 },
  'GET /': { ok: 200 },
  'GET /api/devices': { ok: 200 },
  'GET /metrics': { ok: 200 },
  'GET /admin/referrals': { ok: 200 },
  // No such referral (in anyone's region): 404.
  'POST /admin/referrals/:id/answer': { body: { status: 'accepted' }, path: () => '/admin/referrals/3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f/answer', ok: 404 },
  'POST /admin/formulary': { body: formulary, ok: 201 },
  'GET /jobs': { ok: 200 },
  'POST /jobs': { form: { action: 'diagnostics', targetKind: 'region', targetValue: '53', expiresInMinutes: '60' }, ok: 303 },
  'GET /api/jobs': { ok: 200 },
  'POST /api/jobs': { body: { action: { action: 'backup' }, target: { region: '53' }, expiresInMinutes: 60 }, ok: 201 },
  'GET /api/jobs/:id': { path: () => `/api/jobs/${baliJob}`, ok: 200 },
  'GET /boxes': { ok: 200 },
  'GET /api/boxes': { ok: 200 },
  'GET /audit': { ok: 200 },
  'GET /api/audit': { ok: 200 },
  'POST /admin/hospitals': { body: { items: [{ code: '0000R001', name: 'RSUD Contoh', specialties: ['Anak'], acceptsEmergency: true }] }, ok: 201 },
  // No such box: 404.
  'POST /admin/devices/:id/revoke': { body: {}, path: () => '/admin/devices/no-such-box/revoke', ok: 404 },
  // This hub enrols no boxes by claim (no mqtts address for them): as if the route did not exist.
  'POST /enrol': { body: {}, ok: 404 },
  'GET /api/fleet/boxes': { ok: 200 },
  'GET /api/fleet/regions': { ok: 200 },
  'GET /api/fleet/boxes/:id/history': { path: () => `/api/fleet/boxes/${boxes.bali.id}/history`, ok: 200 },
  'GET /api/fleet/regions/:code/chart': { path: () => '/api/fleet/regions/53/chart', ok: 200 },
  // JSON where a CSV is expected: refused as invalid.
  'POST /api/fleet/regions': { body: {}, ok: 400 },
  'POST /api/fleet/facilities': { body: {}, ok: 400 },
  'GET /api/alerts': { ok: 200 },
  'POST /api/alerts/silences': { body: {}, ok: 400 },
  // A hub just started has not evaluated its alerts yet: the dead-man's switch says so.
  'GET /watchdog': { ok: 503 },
  // Boxes only (Basic with the box's id and secret): operators and the admin token get 403.
  'GET /releases/:version/bundle': { path: () => '/releases/0.2.0/bundle', ok: 404 },
  'GET /fleet': { ok: 200 },
  'GET /api/fleet/overview': { ok: 200 },
  'GET /fleet/boxes/:id': { path: () => `/fleet/boxes/${boxes.kupang.id}`, ok: 200 },
  'GET /api/fleet/boxes/:id': { path: () => `/api/fleet/boxes/${boxes.bali.id}`, ok: 200 },
  // A stream: its status and first bytes are the answer (the walk cancels it).
  'GET /api/fleet/events': { path: () => '/api/fleet/events?region=', ok: 200 },
  'GET /assets/:file': { path: () => '/assets/uplot.js', ok: 200 },
  'GET /fleet/rollouts': { ok: 200 },
  'GET /api/fleet/rollouts': { ok: 200 },
  // No such rollout: 404 (a rollout touching no box of the caller's region answers the same).
  'GET /fleet/rollouts/:id': { path: () => '/fleet/rollouts/3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f', ok: 404 },
  'GET /api/fleet/rollouts/:id': { path: () => '/api/fleet/rollouts/3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f', ok: 404 },
  // The form without a release and with waves that are not percentages: the page again, each field's error beside it.
  'POST /fleet/rollouts': { form: { version: '', waves: 'ten' }, ok: 400 },
  'POST /fleet/rollouts/:id/halt': { body: {}, path: () => '/fleet/rollouts/3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f/halt', ok: 404 },
  'POST /fleet/rollouts/:id/resume': { body: {}, path: () => '/fleet/rollouts/3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f/resume', ok: 404 },
};

type Caller = 'none' | HubRole;
const callers: Caller[] = ['none', 'admin', 'national', 'province', 'district'];

async function call(r: HubRoute, who: Caller, opts: { accept?: string; noCsrf?: boolean } = {}) {
  const req = requests[`${r.method} ${r.path}`];
  const headers: Record<string, string> = {};
  if (opts.accept) headers.accept = opts.accept;
  if (who === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  else if (who !== 'none') {
    // A district signs in afresh for each call, and everyone for the sign-out (which ends the session).
    const s = who === 'district' || r.path === '/logout' ? await signIn(h.hub.url, operators[who].username) : sessions[who]!;
    headers.cookie = s.cookie;
    if (r.method === 'POST' && !opts.noCsrf) headers['x-csrf-token'] = s.csrf;
  }
  let body: string | undefined;
  if (r.method === 'POST') {
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body ?? {});
    }
  }
  return fetch(`${h.hub.url}${req.path?.() ?? r.path}`, { method: r.method, headers, body, redirect: 'manual' });
}

/** What access.ts says `who` gets from `r`. */
function expected(r: HubRoute, who: Caller): number {
  const ok = requests[`${r.method} ${r.path}`].ok;
  if (r.access.includes('public')) return ok;
  if (who === 'none') return 401;
  if (!r.access.includes(who)) return 403;
  // A job made nationally for a Bali box is not in NTT's region: as if it did not exist; so is the Bali box's history.
  if (['/api/jobs/:id', '/api/fleet/boxes/:id/history', '/api/fleet/boxes/:id'].includes(r.path) && (who === 'province' || who === 'district')) return 404;
  // The district (5301) asks for its province (53): a job there is aimed outside its region (403),
  // the province's chart would show boxes outside it (404).
  if ((r.path === '/api/jobs' || r.path === '/jobs') && r.method === 'POST' && who === 'district') return 403;
  if (r.path === '/api/fleet/regions/:code/chart' && who === 'district') return 404;
  return ok;
}

beforeAll(async () => {
  h = await startOperatorHub();
  sessions.national = await signIn(h.hub.url, operators.national.username);
  sessions.province = await signIn(h.hub.url, operators.province.username);
  const made = await fetch(`${h.hub.url}/api/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: { action: 'diagnostics' }, target: { device: boxes.bali.id } }),
  });
  baliJob = ((await made.json()) as { id: string }).id;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('every hub route with every role and with none', () => {
  it('has a request for every route in the table', () => {
    expect(Object.keys(requests).sort()).toEqual(hubRouteTable.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(hubRouteTable.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, r) => {
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const who of callers) {
      const res = await call(r, who);
      // Cancelled rather than read: the live stream never ends by itself.
      await res.body?.cancel();
      got[who] = res.status;
      want[who] = expected(r, who);
    }
    expect(got).toEqual(want);
    // A browser without credentials asking for a page goes to the login form.
    if (r.method === 'GET' && !r.access.includes('public')) {
      const res = await call(r, 'none', { accept: 'text/html' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    // A session's write without its CSRF token: refused, whatever the role (a route the role may not
    // use at all is refused for that first, with 403 forbidden, as the walk above checks).
    if (r.method === 'POST' && !r.access.includes('public') && r.access.includes('district')) {
      const res = await call(r, 'district', { noCsrf: true });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf');
    }
  });
});

describe('each role sees its region only', () => {
  const get = async (who: 'national' | 'province' | 'district' | 'district2', path: string) => {
    const s = await signIn(h.hub.url, operators[who].username);
    const res = await fetch(`${h.hub.url}${path}`, { headers: { cookie: s.cookie } });
    expect(res.status, path).toBe(200);
    return res;
  };
  it('boxes: the nation all, the province both of its districts, a district its own', async () => {
    const ids = async (who: 'national' | 'province' | 'district' | 'district2') => ((await (await get(who, '/api/devices')).json()) as { id: string }[]).map((d) => d.id).sort();
    expect(await ids('national')).toEqual([boxes.bali.id, boxes.kupang.id, boxes.soe.id].sort());
    expect(await ids('province')).toEqual([boxes.kupang.id, boxes.soe.id].sort());
    expect(await ids('district')).toEqual([boxes.kupang.id]);
    expect(await ids('district2')).toEqual([boxes.soe.id]);
    const page = await (await get('district', '/')).text();
    expect(page).toContain(boxes.kupang.id);
    expect(page).not.toContain(boxes.soe.id);
  });

  it('box list: search, filters, sorting and paging, inside the caller’s region only', async () => {
    for (let i = 0; i < 25; i++) {
      await h.db.query(`INSERT INTO devices (id, secret_hash, facility_code, name, region_code, last_seen_at) VALUES ($1, 'x', $2, $3, '5301', $4)`, [
        `box-kupang-x${String(i).padStart(2, '0')}`,
        `5301P${String(100 + i)}`,
        `Pustu ${i}`,
        new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(),
      ]);
    }
    type List = { total: number; boxes: { id: string; regionCode: string }[] };
    const list = async (who: 'national' | 'province' | 'district' | 'district2', q: string) => (await (await get(who, `/api/boxes?${q}`)).json()) as List;
    const d1 = await list('district', 'per=10&sort=id');
    expect(d1.total).toBe(26);
    expect(d1.boxes.map((b) => b.id)).toEqual([boxes.kupang.id, ...Array.from({ length: 9 }, (_, i) => `box-kupang-x0${i}`)]);
    const d3 = await list('district', 'per=10&sort=id&page=3');
    expect(d3.boxes.map((b) => b.id)).toEqual(['box-kupang-x19', 'box-kupang-x20', 'box-kupang-x21', 'box-kupang-x22', 'box-kupang-x23', 'box-kupang-x24']);
    // A region outside the caller's scope narrows to nothing of another district's.
    expect((await list('district', 'region=5302')).total).toBe(0);
    expect((await list('district2', 'region=53')).boxes.map((b) => b.id)).toEqual([boxes.soe.id]);
    expect((await list('province', 'q=soe')).boxes.map((b) => b.id)).toEqual([boxes.soe.id]);
    expect((await list('national', 'q=pustu 7&per=10')).boxes.map((b) => b.id)).toEqual(['box-kupang-x07']);
    expect((await list('national', 'facility=5101')).boxes.map((b) => b.id)).toEqual([boxes.bali.id]);
    // Longest silent first: never seen, then the oldest contact.
    const silent = await list('district', 'sort=lastSeen&per=10');
    expect(silent.boxes.slice(0, 2).map((b) => b.id)).toEqual([boxes.kupang.id, 'box-kupang-x00']);
    const page = await (await get('district', '/boxes?q=pustu&per=10&page=2')).text();
    expect(page).toContain('box-kupang-x10');
    expect(page).toContain('href="/boxes?q=pustu&amp;status=active&amp;sort=facility&amp;page=3&amp;per=10"');
    expect(page).not.toContain(boxes.soe.id);
    const bad = await fetch(`${h.hub.url}/api/boxes?per=100000`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
    // Only the three boxes of the setup for the tests after this one.
    await h.db.query(`DELETE FROM devices WHERE id LIKE 'box-kupang-x%'`);
  });

  it('jobs: a district sees its own boxes’ share of a province’s job, and cannot reach another district’s box', async () => {
    const p = await signIn(h.hub.url, operators.province.username);
    const made = await fetch(`${h.hub.url}/api/jobs`, {
      method: 'POST',
      headers: { cookie: p.cookie, 'x-csrf-token': p.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ action: { action: 'backup' }, target: { region: '53' } }),
    });
    expect(made.status).toBe(201);
    const job = (await made.json()) as { id: string; devices: string[] };
    expect(job.devices.sort()).toEqual([boxes.kupang.id, boxes.soe.id].sort());
    const seen = (await (await get('district', `/api/jobs/${job.id}`)).json()) as { runs: { deviceId: string }[] };
    expect(seen.runs.map((r) => r.deviceId)).toEqual([boxes.kupang.id]);
    const d = await signIn(h.hub.url, operators.district.username);
    const other = await fetch(`${h.hub.url}/api/jobs`, {
      method: 'POST',
      headers: { cookie: d.cookie, 'x-csrf-token': d.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ action: { action: 'backup' }, target: { device: boxes.soe.id } }),
    });
    expect(other.status).toBe(404);
  });

  it('audit: who, what, where and the result; a district reads its region’s entries only; no secret in it', async () => {
    const all = (
      (await (await get('national', '/api/audit?limit=500')).json()) as {
        entries: { actor: string; action: string; region: string; result: string; address: string; detail: unknown }[];
      }
    ).entries;
    expect(all.some((e) => e.action === 'login' && e.actor === operators.district.username && e.result === 'ok' && e.region === '5301' && e.address === '127.0.0.1')).toBe(true);
    expect(all.some((e) => e.action === 'job_create' && e.actor === 'admin-token' && e.region === '5101')).toBe(true);
    expect(JSON.stringify(all)).not.toContain(PASSWORD_TEXT);
    expect(JSON.stringify(all)).not.toContain(ADMIN_TOKEN);
    const mine = ((await (await get('district', '/api/audit?limit=500')).json()) as { entries: { region: string }[] }).entries;
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect(e.region.startsWith('5301')).toBe(true);
  });
});

const PASSWORD_TEXT = 'kata-sandi-operator-uji-123';
