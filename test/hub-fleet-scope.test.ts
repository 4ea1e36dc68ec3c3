/**
 * The fleet console's scoping: a district operator reads and acts on its own district's boxes
 * only, through every fleet route and page (the caller's RegionFilter, set from the session). A box
 * outside its region answers 404 as if absent; a job or silence aimed at a region outside it is
 * refused 403 with a message saying what to do. A province operator sees both of its districts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxes, operators, signIn, startOperatorHub, statusV1, type OperatorHub, type SignedIn } from './support/hub-operators.ts';

let h: OperatorHub;
let district: SignedIn;
let province: SignedIn;
const T0 = Date.parse('2026-12-03T03:00:00Z');

beforeAll(async () => {
  h = await startOperatorHub({ now: () => new Date(T0), fleet: { now: () => new Date(T0), sweepEveryMs: 0, flushEveryMs: 0 } });
  for (const b of Object.values(boxes)) h.hub.fleet.report(b.id, statusV1(new Date(T0), 3));
  await h.hub.fleet.flush();
  for (const b of Object.values(boxes))
    await h.db.query(
      `INSERT INTO alerts (fingerprint, rule, subject, region_code, severity, summary, value, state, starts_at) VALUES ($1, 'disk_low', $2, $3, 'warning', 'disk low', 5, 'firing', $4)`,
      [`fp-${b.id}`, b.id, b.region, new Date(T0).toISOString()],
    );
  district = await signIn(h.hub.url, operators.district.username);
  province = await signIn(h.hub.url, operators.province.username);
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const get = (s: SignedIn, path: string) => fetch(`${h.hub.url}${path}`, { headers: { cookie: s.cookie } });
const post = (s: SignedIn, path: string, body: unknown) =>
  fetch(`${h.hub.url}${path}`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const json = async <T>(res: Response, status = 200): Promise<T> => {
  expect(res.status, res.url).toBe(status);
  return (await res.json()) as T;
};
type Refusal = { error: { code: string; message: string } };

describe('a district operator reads its own district only', () => {
  it('box list: its own box; another district or the province narrow to its own or to nothing', async () => {
    const ids = async (s: SignedIn, q = '') => (await json<{ boxes: { id: string }[] }>(await get(s, `/api/fleet/boxes${q}`))).boxes.map((b) => b.id).sort();
    expect(await ids(district)).toEqual([boxes.kupang.id]);
    expect(await ids(district, '?region=5302')).toEqual([]);
    expect(await ids(district, '?region=53')).toEqual([boxes.kupang.id]);
    expect(await ids(district, `?q=${boxes.soe.id}`)).toEqual([]);
    expect(await ids(province)).toEqual([boxes.kupang.id, boxes.soe.id].sort());
  });

  it('counts by region: its district alone', async () => {
    const codes = async (s: SignedIn, q = '') => (await json<{ regions: { code: string }[] }>(await get(s, `/api/fleet/regions${q}`))).regions.map((r) => r.code);
    expect(await codes(district)).toEqual(['5301']);
    expect(await codes(district, '?region=5302')).toEqual([]);
    expect(await codes(province)).toEqual(['5301', '5302']);
  });

  it('history and charts: another district’s box and region are 404, as if absent', async () => {
    expect((await get(district, `/api/fleet/boxes/${boxes.soe.id}/history`)).status).toBe(404);
    expect((await get(district, `/api/fleet/boxes/${boxes.kupang.id}/history`)).status).toBe(200);
    expect((await get(district, '/api/fleet/regions/5302/chart')).status).toBe(404);
    expect((await get(district, '/api/fleet/regions/53/chart')).status).toBe(404);
    expect((await get(district, '/api/fleet/regions/5301/chart')).status).toBe(200);
    expect((await get(province, `/api/fleet/boxes/${boxes.soe.id}/history`)).status).toBe(200);
  });

  it('alerts: its own box’s only', async () => {
    const subjects = async (s: SignedIn) => (await json<{ alerts: { subject: string }[] }>(await get(s, '/api/alerts'))).alerts.map((a) => a.subject).sort();
    expect(await subjects(district)).toEqual([boxes.kupang.id]);
    expect(await subjects(province)).toEqual([boxes.kupang.id, boxes.soe.id].sort());
  });
});

describe('the console’s pages and live stream are scoped the same way', () => {
  it('overview: a district gets its own district and boxes; a province both districts; another district is 404', async () => {
    type Overview = { region: string; children: { code: string }[]; boxes: { id: string }[]; total: number; alertsFiring: number };
    const mine = await json<Overview>(await get(district, '/api/fleet/overview'));
    expect(mine).toMatchObject({ region: '5301', children: [], total: 1, alertsFiring: 1 });
    expect(mine.boxes.map((b) => b.id)).toEqual([boxes.kupang.id]);
    // Asking for the whole province is answered with the district's own part.
    expect((await json<Overview>(await get(district, '/api/fleet/overview?region=53'))).region).toBe('5301');
    expect((await get(district, '/api/fleet/overview?region=5302')).status).toBe(404);
    const wide = await json<Overview>(await get(province, '/api/fleet/overview'));
    expect(wide).toMatchObject({ region: '53', total: 2, alertsFiring: 2 });
    expect(wide.children.map((c) => c.code)).toEqual(['5301', '5302']);
    const page = await (await get(district, '/fleet')).text();
    expect(page).toContain(boxes.kupang.id);
    expect(page).not.toContain(boxes.soe.id);
    expect((await get(district, '/fleet?region=5302')).status).toBe(404);
  });

  it('box detail, its JSON and its live stream: another district’s box is 404', async () => {
    for (const path of [`/fleet/boxes/${boxes.soe.id}`, `/api/fleet/boxes/${boxes.soe.id}`, `/api/fleet/events?box=${boxes.soe.id}`, '/api/fleet/events?region=5302']) {
      const res = await get(district, path);
      await res.body?.cancel();
      expect(res.status, path).toBe(404);
    }
    expect((await json<{ id: string }>(await get(district, `/api/fleet/boxes/${boxes.kupang.id}`))).id).toBe(boxes.kupang.id);
    expect((await get(province, `/fleet/boxes/${boxes.soe.id}`)).status).toBe(200);
  });

  it('the live stream of the overview carries only the caller’s region', async () => {
    const res = await get(district, '/api/fleet/events?region=');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/^event: overview\n/);
    const data = JSON.parse(/data: (.*)/.exec(text)![1]) as { region: string; boxes: { id: string }[] };
    expect(data.region).toBe('5301');
    expect(data.boxes.map((b) => b.id)).toEqual([boxes.kupang.id]);
  });
});

describe('the console’s assets', () => {
  it('uPlot and the live code come from the hub itself, gzipped, cacheable by version; no other file', async () => {
    const res = await get(district, '/assets/uplot.js');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(await res.text()).toContain('uPlot');
    const page = await (await get(district, `/fleet/boxes/${boxes.kupang.id}`)).text();
    const src = /src="(\/assets\/fleet\.js\?v=[\w-]+)"/.exec(page)![1];
    expect((await get(district, src)).headers.get('cache-control')).toContain('immutable');
    expect(page).toMatch(/href="\/assets\/uplot\.css\?v=/);
    expect((await get(district, '/assets/package.json')).status).toBe(404);
    expect((await get(district, '/assets/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('a district operator acts on its own district only', () => {
  it('a silence: another district’s box 404, another region 403 with what to do, its own 201 kept inside its region', async () => {
    const other = await json<Refusal>(await post(district, '/api/alerts/silences', { deviceId: boxes.soe.id, reason: 'maintenance', minutes: 60 }), 404);
    expect(other.error.code).toBe('not_found');
    const wide = await json<Refusal>(await post(district, '/api/alerts/silences', { region: '5302', reason: 'maintenance', minutes: 60 }), 403);
    expect(wide.error.code).toBe('outside_region');
    expect(wide.error.message).toContain('5302');
    expect(wide.error.message).toContain('5301');
    expect((await post(district, '/api/alerts/silences', { region: '53', reason: 'maintenance', minutes: 60 })).status).toBe(403);
    await json(await post(district, '/api/alerts/silences', { reason: 'listrik padam se-kabupaten', minutes: 60 }), 201);
    const mine = await json<{ silences: { region: string; createdBy: string }[] }>(await get(district, '/api/alerts'));
    expect(mine.silences).toEqual([expect.objectContaining({ region: '5301', createdBy: operators.district.username })]);
    // The district's silence is not the other district's to see.
    const d2 = await signIn(h.hub.url, operators.district2.username);
    expect((await json<{ silences: unknown[] }>(await get(d2, '/api/alerts'))).silences).toEqual([]);
  });

  it('a job: another district’s box 404, another region 403 with what to do (nothing made), its own box 201', async () => {
    const before = (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n;
    expect((await json<Refusal>(await post(district, '/api/jobs', { action: { action: 'backup' }, target: { device: boxes.soe.id } }), 404)).error.code).toBe('not_found');
    const r = await json<Refusal>(await post(district, '/api/jobs', { action: { action: 'backup' }, target: { region: '5302' } }), 403);
    expect(r.error.code).toBe('outside_region');
    expect(r.error.message).toMatch(/5302.*5301/);
    expect((await post(district, '/api/jobs', { action: { action: 'backup' }, target: { filter: { region: '5302' } } })).status).toBe(403);
    expect((await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n).toBe(before);
    await json(await post(district, '/api/jobs', { action: { action: 'backup' }, target: { device: boxes.kupang.id } }), 201);
  });

  it('reference data (formulary, hospital list): another district’s box 404, a region outside or wider 403 with what to do (nothing sent, the refusal audited), its own region 201', async () => {
    const lists = {
      '/admin/formulary': [{ kfaCode: '93001234', name: 'Parasetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true }],
      '/admin/hospitals': [{ code: '5301R001', name: 'RSUD Prof. Dr. W. Z. Johannes', specialties: ['Anak'], acceptsEmergency: true }],
    };
    const sent = async () => (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink`)).rows[0].n;
    for (const [path, items] of Object.entries(lists)) {
      const before = await sent();
      expect((await json<Refusal>(await post(district, path, { items, devices: [boxes.soe.id] }), 404)).error.code).toBe('not_found');
      const other = await json<Refusal>(await post(district, path, { items, region: '5302' }), 403);
      expect(other.error.code).toBe('outside_region');
      expect(other.error.message).toMatch(/5302.*5301/);
      expect((await json<Refusal>(await post(district, path, { items, region: '53' }), 403)).error.code).toBe('outside_region');
      expect((await json<Refusal>(await post(province, path, { items, region: '51' }), 403)).error.code).toBe('outside_region');
      expect(await sent()).toBe(before);
      await json(await post(district, path, { items, region: '5301' }), 201);
    }
    const refused = await h.db.query<{ action: string; detail: { reason: string; target: string } }>(
      `SELECT action, detail FROM audit_log WHERE result = 'refused' AND action IN ('formulary_publish', 'hospitals_publish') ORDER BY action, detail->>'target'`,
    );
    expect(refused.rows.map((r) => `${r.action} ${r.detail.target} ${r.detail.reason}`)).toEqual([
      'formulary_publish 51 outside_region',
      'formulary_publish 53 outside_region',
      'formulary_publish 5302 outside_region',
      'hospitals_publish 51 outside_region',
      'hospitals_publish 53 outside_region',
      'hospitals_publish 5302 outside_region',
    ]);
  });

  it('the region and facility imports are the nation’s: a province or district is forbidden', async () => {
    expect((await post(district, '/api/fleet/regions', {})).status).toBe(403);
    expect((await post(province, '/api/fleet/facilities', {})).status).toBe(403);
  });
});
