/**
 * The hub's small web face: a status page per box, /metrics for Prometheus, and an admin page
 * (and JSON endpoint) to answer a referral on a hospital's behalf until the hospital inbox exists.
 * Every route is in access.ts's table with who may use it; only /healthz is public. Pages are
 * Hono JSX (pages/), their words in words.ts (Indonesian and English); what a request carries and
 * each JSON answer are zod schemas (schemas.ts); refusals come from errors.ts.
 * Web standards only (Hono): no Node type in here.
 */
import { Hono, type Context, type Handler } from 'hono';
import { checkCredentials, hubRouteTable, type CredentialCheck, type HubRoute } from './access.ts';
import { checkInput, hubError, requestLang, validationFailed } from './errors.ts';
import { BoxesPage } from './pages/boxes.tsx';
import { sendPage } from './pages/layout.tsx';
import { ReferralsPage } from './pages/referrals.tsx';
import type { z } from 'zod';
import { answerRequest, formularyRequest, referralIdParam, referralView, type answerResponse, type devicesResponse, type DeviceOverview, type formularyResponse, type healthResponse } from './schemas.ts';
import { DownlinkError, answerReferral, pendingDownlink, publishFormulary } from '../downlink/downlink.ts';
import { listDevices } from '../fleet/devices.ts';
import type { HubDb } from '../storage/db.ts';
import { fleetHandlers, type FleetRouteDeps } from './fleet-routes.ts';
import { fleetMetricsText } from './fleet-metrics.ts';

export interface HubAppDeps {
  db: HubDb;
  adminToken?: string;
  /** Counts of invalid messages per channel (in memory, since start). */
  invalid: () => Map<string, number>;
  /** Records this process stored, by type (in memory, since start): how the load splits between hub processes. */
  storedHere: () => Map<string, number>;
  /** Called after something is queued for a box (an answer, a formulary), to send it at once if the box is online. */
  onAnswered: (deviceId: string) => void;
  /** The fleet's state, history and alerts (fleet-routes.ts). */
  fleet?: Omit<FleetRouteDeps, 'db'>;
}

const label = (s: string) => s.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

const refusal = (c: Context, check: Exclude<CredentialCheck, { ok: true }>) =>
  hubError(c, check.why === 'malformed' || check.why === 'no_admin_token' ? check.why : 'unauthenticated');

/** A refusal from the downlink (unknown referral or box, a duplicate KFA code): its own (English) words go in details, as the box does with the domain's. */
const downlinkRefusal = (c: Context, e: DownlinkError) => hubError(c, e.code, { reason: e.message });

/** A request body as JSON, or (for the page's form) as form fields; `undefined` when it is neither. */
async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) return c.req.json().catch(() => undefined);
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
  }
  return undefined;
}

export function createHubApp(d: HubAppDeps) {
  const app = new Hono();
  const handlers = new Map<string, Handler>();
  const handle = (method: HubRoute['method'], path: string, h: Handler) => void handlers.set(`${method} ${path}`, h);

  const guard = (r: HubRoute) => async (c: Context, next: () => Promise<void>) => {
    if (!r.access.includes('public')) {
      const check = await checkCredentials(c.req.header('authorization'), d.adminToken);
      if (!check.ok) return refusal(c, check);
      if (!r.access.includes(check.principal.role)) return hubError(c, 'forbidden', { allowed: r.access });
    }
    // A form posted from another site must not answer referrals with the admin's credentials
    // (a browser sends Basic credentials along by itself).
    const origin = c.req.header('origin');
    if (r.method === 'POST' && origin && origin !== new URL(c.req.url).origin) return hubError(c, 'csrf');
    await next();
  };

  handle('GET', '/healthz', async (c) => {
    await d.db.query('SELECT 1');
    return c.json({ ok: true } as const satisfies z.infer<typeof healthResponse>);
  });

  handle('GET', '/api/devices', async (c) => c.json(await deviceOverview(d.db) satisfies z.infer<typeof devicesResponse>));

  handle('GET', '/', async (c) => {
    const lang = requestLang(c);
    return sendPage(c, lang, BoxesPage({ lang, devices: await deviceOverview(d.db) }));
  });

  // Aggregates only (fleet-metrics.ts): no label value per box, so the scrape stays the same size
  // for 20 boxes or 22,400.
  handle('GET', '/metrics', async (c) => {
    const stored = await d.db.query<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM entities GROUP BY 1 ORDER BY 1`);
    const rejected = await d.db.query<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM rejections GROUP BY 1 ORDER BY 1`);
    const pending = await d.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE acked_at IS NULL`);
    const out: string[] = [
      '# HELP simpul_hub_entities_stored Entities (their newest version) stored at the hub, per type.',
      '# TYPE simpul_hub_entities_stored gauge',
      ...stored.rows.map((r) => `simpul_hub_entities_stored{type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_records_rejected_total Records rejected as invalid (parked on the box), per type.',
      '# TYPE simpul_hub_records_rejected_total counter',
      ...rejected.rows.map((r) => `simpul_hub_records_rejected_total{type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_messages_invalid_total Messages refused before storing (bad frame, schema, unknown box), since start.',
      '# TYPE simpul_hub_messages_invalid_total counter',
      ...[...d.invalid()].map(([ch, n]) => `simpul_hub_messages_invalid_total{channel="${label(ch)}"} ${n}`),
      '# HELP simpul_hub_process_records_stored_total Records this hub process stored since it started, per type.',
      '# TYPE simpul_hub_process_records_stored_total counter',
      ...[...d.storedHere()].map(([type, n]) => `simpul_hub_process_records_stored_total{type="${label(type)}"} ${n}`),
      '# HELP simpul_hub_downlink_pending Messages waiting for boxes to acknowledge.',
      '# TYPE simpul_hub_downlink_pending gauge',
      `simpul_hub_downlink_pending ${pending.rows[0].n}`,
      ...(d.fleet ? await fleetMetricsText(d.db, { firingByRule: d.fleet.alerts.firingByRule, reportsSinceStart: d.fleet.fleet.reportsSinceStart, lastReportAt: d.fleet.fleet.lastReportAt }) : []),
    ];
    return c.text(out.join('\n') + '\n', 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  handle('GET', '/admin/referrals', async (c) => {
    const lang = requestLang(c);
    const { rows } = await d.db.query<{ device_id: string; entity_id: string; version: number; payload: unknown }>(
      `SELECT device_id, entity_id, version, payload FROM entity_state WHERE type = 'referral' ORDER BY updated_at DESC LIMIT 200`,
    );
    const waiting = new Set((await pendingDownlink(d.db)).filter((p) => p.kind === 'referral_answer').map((p) => (p.body as { referralId: string }).referralId));
    const referrals = rows.map((r) => {
      const view = referralView.safeParse(r.payload);
      return { deviceId: r.device_id, referralId: r.entity_id, version: r.version, referral: view.success ? view.data : {}, answerWaiting: waiting.has(r.entity_id) };
    });
    return sendPage(c, lang, ReferralsPage({ lang, rows: referrals }));
  });

  // From the referrals page's form (then back to the page) or as JSON (then the queued answer).
  handle('POST', '/admin/referrals/:id/answer', async (c) => {
    const isJson = (c.req.header('content-type') ?? '').includes('application/json');
    const param = checkInput(c, referralIdParam, { id: c.req.param('id') });
    if (!param.success) return validationFailed(c, param.error);
    const answer = checkInput(c, answerRequest, await readBody(c));
    if (!answer.success) return validationFailed(c, answer.error);
    try {
      const r = await answerReferral(d.db, param.data.id, answer.data);
      d.onAnswered(r.deviceId);
      return isJson ? c.json(r satisfies z.infer<typeof answerResponse>, 201) : c.redirect('/admin/referrals', 303);
    } catch (e) {
      if (e instanceof DownlinkError) return downlinkRefusal(c, e);
      throw e;
    }
  });

  // The district formulary for every box (or `devices`), as JSON: { items: [...], devices?: [...] }.
  handle('POST', '/admin/formulary', async (c) => {
    const body = checkInput(c, formularyRequest, await c.req.json().catch(() => undefined));
    if (!body.success) return validationFailed(c, body.error);
    try {
      const r = await publishFormulary(d.db, body.data.items, body.data.devices);
      for (const deviceId of r.devices) d.onAnswered(deviceId);
      return c.json(r satisfies z.infer<typeof formularyResponse>, 201);
    } catch (e) {
      if (e instanceof DownlinkError) return downlinkRefusal(c, e);
      throw e;
    }
  });

  if (d.fleet) for (const f of fleetHandlers({ db: d.db, ...d.fleet })) handle(f.method, f.path, f.handler);

  for (const r of hubRouteTable) {
    const h = handlers.get(`${r.method} ${r.path}`);
    if (!h) throw new Error(`hub route ${r.method} ${r.path} is in the access table but has no handler`);
    handlers.delete(`${r.method} ${r.path}`);
    app.on(r.method, r.path, guard(r), h);
  }
  if (handlers.size) throw new Error(`hub routes without an access rule: ${[...handlers.keys()].join(', ')}`);
  // An address nobody serves tells a stranger nothing: credentials first, then 404.
  app.notFound(async (c) => {
    const check = await checkCredentials(c.req.header('authorization'), d.adminToken);
    return check.ok ? hubError(c, 'route_not_found') : refusal(c, check);
  });
  app.onError((_err, c) => hubError(c, 'internal'));

  return app;
}

export async function deviceOverview(db: HubDb): Promise<DeviceOverview[]> {
  const devices = await listDevices(db);
  const counts = await db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2`);
  const pending = await db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
  return devices.map((x) => ({
    ...x,
    recordsByType: Object.fromEntries(counts.rows.filter((r) => r.device_id === x.id).map((r) => [r.type, r.n])),
    downlinkPending: pending.rows.find((r) => r.device_id === x.id)?.n ?? 0,
  }));
}
