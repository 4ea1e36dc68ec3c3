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
import { enrolRequest, type EnrolRequest, type EnrolResponse } from '../contract/enrolment.ts';
import { EnrolmentRefused } from '../fleet/enrolment.ts';
import type { Throttle } from './throttle.ts';
import { isDeviceId } from '../contract/topics.ts';

export interface HubAppDeps {
  db: HubDb;
  adminToken?: string;
  /** Counts of invalid messages per channel (in memory, since start). */
  invalid: () => Map<string, number>;
  /** Records this process stored, by type (in memory, since start): how the load splits between hub processes. */
  storedHere: () => Map<string, number>;
  /** Called after something is queued for a box (an answer, a formulary), to send it at once if the box is online. */
  onAnswered: (deviceId: string) => void;
  /** A new box's enrolment with a claim code (central/fleet/enrolment.ts); absent: the route answers 404. */
  enrol?: (request: EnrolRequest) => Promise<EnrolResponse>;
  /** Revokes a box and puts it off the broker at once (central/fleet/revocation.ts); false: no such box. */
  revoke?: (deviceId: string) => Promise<boolean>;
  /** Claim attempts per client address (POST /enrol). */
  enrolThrottle?: Throttle;
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

  handle('GET', '/metrics', async (c) => {
    const stored = await d.db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2 ORDER BY 1, 2`);
    const rejected = await d.db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM rejections GROUP BY 1, 2 ORDER BY 1, 2`);
    const devices = await listDevices(d.db);
    const pending = await d.db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
    const out: string[] = [
      '# HELP simpul_hub_records_stored_total Records stored at the hub (each version once), per box and type.',
      '# TYPE simpul_hub_records_stored_total counter',
      ...stored.rows.map((r) => `simpul_hub_records_stored_total{device="${label(r.device_id)}",type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_records_rejected_total Records rejected as invalid (parked on the box), per box and type.',
      '# TYPE simpul_hub_records_rejected_total counter',
      ...rejected.rows.map((r) => `simpul_hub_records_rejected_total{device="${label(r.device_id)}",type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_messages_invalid_total Messages refused before storing (bad frame, schema, unknown box), since start.',
      '# TYPE simpul_hub_messages_invalid_total counter',
      ...[...d.invalid()].map(([ch, n]) => `simpul_hub_messages_invalid_total{channel="${label(ch)}"} ${n}`),
      '# HELP simpul_hub_process_records_stored_total Records this hub process stored since it started, per type.',
      '# TYPE simpul_hub_process_records_stored_total counter',
      ...[...d.storedHere()].map(([type, n]) => `simpul_hub_process_records_stored_total{type="${label(type)}"} ${n}`),
      '# HELP simpul_hub_box_last_seen_timestamp_seconds When the box last sent anything.',
      '# TYPE simpul_hub_box_last_seen_timestamp_seconds gauge',
      ...devices.filter((x) => x.lastSeenAt).map((x) => `simpul_hub_box_last_seen_timestamp_seconds{device="${label(x.id)}"} ${Date.parse(x.lastSeenAt!) / 1000}`),
      '# HELP simpul_hub_box_outbox_pending Backlog the box last reported.',
      '# TYPE simpul_hub_box_outbox_pending gauge',
      ...devices.filter((x) => x.lastStatus).map((x) => `simpul_hub_box_outbox_pending{device="${label(x.id)}"} ${Number((x.lastStatus as { pending?: number }).pending ?? 0)}`),
      '# HELP simpul_hub_downlink_pending Messages waiting for the box to acknowledge.',
      '# TYPE simpul_hub_downlink_pending gauge',
      ...pending.rows.map((r) => `simpul_hub_downlink_pending{device="${label(r.device_id)}"} ${r.n}`),
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

  handle('POST', '/admin/devices/:id/revoke', async (c) => {
    const id = c.req.param('id') ?? '';
    if (!isDeviceId(id) || !d.revoke) return hubError(c, 'not_found');
    if (!(await d.revoke(id))) return hubError(c, 'not_found');
    return c.json({ deviceId: id, revoked: true }, 200);
  });

  // A new box: claim code + CSR → its certificate. Public (the claim code is the credential), throttled per address.
  handle('POST', '/enrol', async (c) => {
    if (!d.enrol) return hubError(c, 'route_not_found');
    const address = (c.env as { remoteAddress?: string } | undefined)?.remoteAddress ?? 'unknown';
    const allowed = d.enrolThrottle?.attempt(address) ?? { ok: true };
    if (!allowed.ok) {
      c.header('retry-after', String(allowed.retryAfterSeconds));
      return hubError(c, 'throttled', { retryAfterSeconds: allowed.retryAfterSeconds });
    }
    const body = checkInput(c, enrolRequest, await c.req.json().catch(() => undefined));
    if (!body.success) return validationFailed(c, body.error);
    try {
      return c.json(await d.enrol(body.data), 201);
    } catch (e) {
      if (e instanceof EnrolmentRefused) return hubError(c, e.reason, e.reason === 'csr_invalid' ? { reason: e.message } : {});
      throw e;
    }
  });

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
