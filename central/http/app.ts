/**
 * The hub's small web face: a status page per box, /metrics for Prometheus, and an admin page
 * (and JSON endpoint) to answer a referral on a hospital's behalf until the hospital inbox exists.
 * Every route is in access.ts's table with who may use it; only /healthz is public. Pages are
 * Hono JSX (pages/), their words in words.ts (Indonesian and English); what a request carries and
 * each JSON answer are zod schemas (schemas.ts); refusals come from errors.ts.
 * Web standards only (Hono): no Node type in here.
 */
import { Hono, type Context, type Handler } from 'hono';
import { getCookie } from 'hono/cookie';
import { boxCredentialsOf, checkCredentials, hubRouteTable, sameSecret, type CredentialCheck, type HubRoute } from './access.ts';
import { registerRolloutRoutes } from './rollout-routes.ts';
import { releaseBundleHandler, type ReadBundle } from './release-routes.ts';
import type { HubEnv } from './hub-env.ts';
import { auditOf, bodyOf, registerOperatorRoutes } from './operator-routes.tsx';
import { recordAudit } from '../audit/audit.ts';
import { OperatorLogin } from '../operators/accounts.ts';
import { RegionFilter } from '../operators/region-filter.ts';
import { scopeSql } from '../operators/scope.ts';
import { SESSION_COOKIE, sessionOf } from '../operators/sessions.ts';
import { checkInput, hubError, requestLang, validationFailed } from './errors.ts';
import { hubWords } from './words.ts';
import { BoxesPage } from './pages/boxes.tsx';
import { sendPage } from './pages/layout.tsx';
import { ReferralsPage } from './pages/referrals.tsx';
import type { z } from 'zod';
import {
  answerRequest,
  formularyRequest,
  hospitalsRequest,
  referralIdParam,
  referralView,
  type answerResponse,
  type devicesResponse,
  type DeviceOverview,
  type formularyResponse,
  type healthResponse,
} from './schemas.ts';
import { DownlinkError, answerReferral, pendingDownlink, publishFormulary, publishHospitals } from '../downlink/downlink.ts';
import { listDevices } from '../fleet/devices.ts';
import { hubMetrics } from './metrics.ts';
import type { HubDb } from '../storage/db.ts';
import { enrolRequest, type EnrolRequest, type EnrolResponse } from '../contract/enrolment.ts';
import { EnrolmentRefused } from '../fleet/enrolment.ts';
import type { Throttle } from './throttle.ts';
import { fleetHandlers, type FleetRouteDeps } from './fleet-routes.ts';
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
  /** The fleet's state, history and alerts (fleet-routes.ts). */
  fleet?: Omit<FleetRouteDeps, 'db'>;
  /** The hub's clock (sessions, jobs' expiry, the audit log); tests move it. */
  now?: () => Date;
  /** Session cookies with Secure also on plain HTTP (the hub behind a TLS proxy). */
  secureCookies?: boolean;
  /** An enrolled, unrevoked box with this secret (central/fleet/devices.ts authenticateDevice); absent: no box is let in. */
  authenticateBox?: (deviceId: string, secret: string) => Promise<boolean>;
  /** The unrevoked box a release download key was given to (central/releases/rollouts.ts boxOfDownloadKey); absent: keys are not accepted. */
  boxOfDownloadKey?: (key: string) => Promise<string | null>;
  /** The bytes of a registered release file (hub.ts: from disk); absent: the release route answers 404. */
  readBundle?: ReadBundle;
  /** A rollout was started or resumed from the console: move the rollouts now (hub.ts); absent: at the hub's next step. */
  onRolloutChanged?: () => void;
}

const refusal = (c: Context, check: Exclude<CredentialCheck, { ok: true }>) =>
  hubError(c, check.why === 'malformed' || check.why === 'no_admin_token' ? check.why : 'unauthenticated');

/** A refusal from the downlink (unknown referral or box, a duplicate KFA code): its own (English) words go in details, as the box does with the domain's. */
const downlinkRefusal = (c: Context, e: DownlinkError) => hubError(c, e.code, { reason: e.message });

/** A request body as JSON, or (for the page's form) as form fields; `undefined` when it is neither. */
async function readBody(c: Context<HubEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) return c.req.json().catch(() => undefined);
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
  }
  return undefined;
}

export function createHubApp(d: HubAppDeps) {
  const app = new Hono<HubEnv>();
  const handlers = new Map<string, Handler<HubEnv>>();
  const handle = (method: HubRoute['method'], path: string, h: Handler<HubEnv>) => void handlers.set(`${method} ${path}`, h);
  const now = d.now ?? (() => new Date());
  const login = new OperatorLogin(d.db, () => now().getTime());

  /** The admin token when an Authorization header is given, else the operator's session cookie. */
  const identify = async (c: Context<HubEnv>): Promise<CredentialCheck> => {
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) return checkCredentials(authorization, d.adminToken);
    const s = await sessionOf(d.db, getCookie(c, SESSION_COOKIE), now());
    return s ? { ok: true, principal: { role: s.role, scope: s.scope, actor: s.username, csrf: s.csrf } } : { ok: false, why: 'missing' };
  };
  const wantsPage = (c: Context) => (c.req.header('accept') ?? '').includes('text/html');

  const guard = (r: HubRoute) => async (c: Context<HubEnv>, next: () => Promise<void>) => {
    // A box as itself (its device id and broker secret). Anything else goes on to the operators'
    // check below: the admin token as Basic with any user name is the admin (403 here), a wrong
    // box secret is no credential at all (401).
    const box = r.access.includes('box') ? boxCredentialsOf(c.req.header('authorization')) : null;
    if (box && d.authenticateBox && (await d.authenticateBox(box.deviceId, box.secret))) {
      c.set('box', box.deviceId);
      return next();
    }
    // Or a box by the download key its assignment carried (a box enrolled with a claim code has no secret).
    const key = r.access.includes('box') && d.boxOfDownloadKey ? /^Bearer +([A-Za-z0-9_-]{43})$/i.exec((c.req.header('authorization') ?? '').trim())?.[1] : undefined;
    const keyBox = key ? await d.boxOfDownloadKey!(key) : null;
    if (keyBox) {
      c.set('box', keyBox);
      return next();
    }
    if (!r.access.includes('public')) {
      const check = await identify(c);
      if (!check.ok) return check.why === 'missing' && r.method === 'GET' && wantsPage(c) ? c.redirect('/login', 303) : refusal(c, check);
      if (!r.access.includes(check.principal.role)) return hubError(c, 'forbidden', { allowed: r.access });
      c.set('principal', check.principal);
      c.set('region', new RegionFilter(check.principal.scope));
    }
    // A form posted from another site must not act with the caller's credentials
    // (a browser sends Basic credentials and cookies along by itself).
    const origin = c.req.header('origin');
    if (r.method === 'POST' && origin && origin !== new URL(c.req.url).origin) return hubError(c, 'csrf');
    // A write made with a session carries the session's CSRF token.
    const csrf = r.access.includes('public') ? null : c.get('principal').csrf;
    if (r.method === 'POST' && csrf) {
      const body =
        c.req.header('x-csrf-token') === undefined && /application\/x-www-form-urlencoded|multipart\/form-data/.test(c.req.header('content-type') ?? '')
          ? await bodyOf(c)
          : undefined;
      const sent = c.req.header('x-csrf-token') ?? (body as Record<string, string> | undefined)?.csrf;
      if (!sent || !(await sameSecret(sent, csrf))) return hubError(c, 'csrf');
    }
    await next();
  };
  const scopeOf = (c: Context<HubEnv>) => c.get('region').scope;

  handle('GET', '/healthz', async (c) => {
    await d.db.query('SELECT 1');
    return c.json({ ok: true } as const satisfies z.infer<typeof healthResponse>);
  });

  handle('GET', '/api/devices', async (c) => c.json((await deviceOverview(d.db, scopeOf(c))) satisfies z.infer<typeof devicesResponse>));

  handle('GET', '/', async (c) => {
    const lang = requestLang(c);
    return sendPage(c, lang, BoxesPage({ lang, who: c.get('principal'), devices: await deviceOverview(d.db, scopeOf(c)) }));
  });

  const metrics = hubMetrics({ ...d, fleet: d.fleet });
  handle('GET', '/metrics', async (c) => c.text(await metrics.metrics(), 200, { 'content-type': metrics.contentType }));

  handle('GET', '/admin/referrals', async (c) => {
    const lang = requestLang(c);
    const { rows } = await d.db.query<{ device_id: string; entity_id: string; version: number; payload: unknown }>(
      `SELECT e.device_id, e.entity_id, e.version, e.payload FROM entity_state e JOIN devices dv ON dv.id = e.device_id
        WHERE e.type = 'referral' AND ${scopeSql('dv.region_code', '$1')} ORDER BY e.updated_at DESC LIMIT 200`,
      [scopeOf(c)],
    );
    const waiting = new Set((await pendingDownlink(d.db)).filter((p) => p.kind === 'referral_answer').map((p) => (p.body as { referralId: string }).referralId));
    const referrals = rows.map((r) => {
      const view = referralView.safeParse(r.payload);
      return { deviceId: r.device_id, referralId: r.entity_id, version: r.version, referral: view.success ? view.data : {}, answerWaiting: waiting.has(r.entity_id) };
    });
    return sendPage(c, lang, ReferralsPage({ lang, who: c.get('principal'), rows: referrals }));
  });

  // From the referrals page's form (then back to the page) or as JSON (then the queued answer).
  handle('POST', '/admin/referrals/:id/answer', async (c) => {
    const isJson = (c.req.header('content-type') ?? '').includes('application/json');
    const param = checkInput(c, referralIdParam, { id: c.req.param('id') });
    if (!param.success) return validationFailed(c, param.error);
    const answer = checkInput(c, answerRequest, await readBody(c));
    if (!answer.success) return validationFailed(c, answer.error);
    // A referral of a box outside the caller's region is as if it did not exist.
    const owner = await d.db.query<{ region_code: string | null }>(
      `SELECT dv.region_code FROM entities e JOIN devices dv ON dv.id = e.device_id WHERE e.type = 'referral' AND e.entity_id = $1 AND ${scopeSql('dv.region_code', '$2')} LIMIT 1`,
      [param.data.id, scopeOf(c)],
    );
    if (!owner.rows.length) return hubError(c, 'not_found', { reason: `no referral ${param.data.id} at the hub` });
    try {
      const r = await answerReferral(d.db, param.data.id, answer.data);
      await recordAudit(
        d.db,
        auditOf(c, c.get('principal'), 'referral_answer', 'ok', { target: `referral ${param.data.id}`, region: owner.rows[0].region_code, detail: { status: answer.data.status } }),
        now(),
      );
      d.onAnswered(r.deviceId);
      return isJson ? c.json(r satisfies z.infer<typeof answerResponse>, 201) : c.redirect('/admin/referrals', 303);
    } catch (e) {
      if (e instanceof DownlinkError) return downlinkRefusal(c, e);
      throw e;
    }
  });

  // The district formulary / hospital list for the caller's boxes (or `devices`, or a `region`
  // inside the caller's), as JSON: { items: [...], devices?: [...], region?: "5301" }.
  for (const [path, schema, publish, action] of [
    ['/admin/formulary', formularyRequest, publishFormulary, 'formulary_publish'],
    ['/admin/hospitals', hospitalsRequest, publishHospitals, 'hospitals_publish'],
  ] as const) {
    handle('POST', path, async (c) => {
      const body = checkInput(c, schema, await c.req.json().catch(() => undefined));
      if (!body.success) return validationFailed(c, body.error);
      const scope = scopeOf(c);
      // Aimed at a region outside (or wider than) the caller's: refused with what to do, as jobs
      // and silences are (operators/region-filter.ts).
      if (body.data.region !== undefined && !c.get('region').covers(body.data.region)) {
        const who = c.get('principal');
        await recordAudit(d.db, auditOf(c, who, action, 'refused', { region: scope, detail: { reason: 'outside_region', target: body.data.region } }), now());
        return hubError(c, 'outside_region', { region: body.data.region, yours: scope }, hubWords[requestLang(c)].outsideRegion(body.data.region, scope));
      }
      // The caller's boxes only: named ones outside its region are as if they did not exist.
      const mine = (await d.db.query<{ id: string }>(`SELECT id FROM devices WHERE revoked_at IS NULL AND ${scopeSql('region_code', '$1')}`, [scope])).rows.map((r) => r.id);
      const outside = body.data.devices?.filter((x) => !mine.includes(x)) ?? [];
      if (outside.length) return hubError(c, 'not_found', { reason: `no enrolled, unrevoked box ${outside.join(', ')}` });
      const region = body.data.region ?? (body.data.devices || scope === '' ? undefined : scope);
      try {
        const r = await publish(d.db, body.data.items, { devices: body.data.devices, region });
        await recordAudit(
          d.db,
          auditOf(c, c.get('principal'), action, 'ok', {
            target: `version ${r.version}`,
            region: region ?? scope,
            detail: { boxes: r.devices.length, items: body.data.items.length },
          }),
          now(),
        );
        for (const deviceId of r.devices) d.onAnswered(deviceId);
        return c.json(r satisfies z.infer<typeof formularyResponse>, 201);
      } catch (e) {
        if (e instanceof DownlinkError) return downlinkRefusal(c, e);
        throw e;
      }
    });
  }

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

  const readBundle = d.readBundle;
  handle('GET', '/releases/:version/bundle', readBundle ? releaseBundleHandler({ db: d.db, readBundle }) : (c) => hubError(c, 'route_not_found'));

  if (d.fleet) for (const f of fleetHandlers({ db: d.db, ...d.fleet })) handle(f.method, f.path, f.handler);
  // An app made without the fleet's state (a test, the Deno check) has those routes, answering 404.
  else for (const r of hubRouteTable) if (/^\/(api\/fleet|api\/alerts|watchdog|fleet|assets)(\/|$)/.test(r.path)) handle(r.method, r.path, (c) => hubError(c, 'route_not_found'));

  registerOperatorRoutes(handle, { db: d.db, now, login, secureCookies: d.secureCookies ?? false, onQueued: (ids) => ids.forEach((id) => d.onAnswered(id)) });
  registerRolloutRoutes(handle, { db: d.db, now, onQueued: (ids) => ids.forEach((id) => d.onAnswered(id)), onRolloutChanged: d.onRolloutChanged ?? (() => {}) });

  for (const r of hubRouteTable) {
    const h = handlers.get(`${r.method} ${r.path}`);
    if (!h) throw new Error(`hub route ${r.method} ${r.path} is in the access table but has no handler`);
    handlers.delete(`${r.method} ${r.path}`);
    app.on(r.method, r.path, guard(r), h);
  }
  if (handlers.size) throw new Error(`hub routes without an access rule: ${[...handlers.keys()].join(', ')}`);
  // An address nobody serves tells a stranger nothing: credentials first, then 404.
  app.notFound(async (c) => {
    const check = await identify(c);
    return check.ok ? hubError(c, 'route_not_found') : refusal(c, check);
  });
  app.onError((_err, c) => hubError(c, 'internal'));

  return app;
}

/** The boxes in `scope` ('' the nation) with what the hub holds of each. */
export async function deviceOverview(db: HubDb, scope = ''): Promise<DeviceOverview[]> {
  const inScope = new Set((await db.query<{ id: string }>(`SELECT id FROM devices WHERE ${scopeSql('region_code', '$1')}`, [scope])).rows.map((r) => r.id));
  const devices = (await listDevices(db)).filter((x) => inScope.has(x.id));
  const counts = await db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2`);
  const pending = await db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
  return devices.map((x) => ({
    ...x,
    recordsByType: Object.fromEntries(counts.rows.filter((r) => r.device_id === x.id).map((r) => [r.type, r.n])),
    downlinkPending: pending.rows.find((r) => r.device_id === x.id)?.n ?? 0,
  }));
}
