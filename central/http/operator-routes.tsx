/**
 * The operators' routes: sign in and out, remote jobs (page and JSON), the audit log (page and
 * JSON). Registered into app.ts's table-checked `handle`; who may use each is in access.ts.
 * Every action is written to the audit log with who, from where, on what and the result.
 */
import type { Context, Handler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { listAudit, recordAudit, type AuditAction, type AuditEntry, type AuditResult } from '../audit/audit.ts';
import { createJob, jobDetail, JobError, jobRequest, listJobs } from '../jobs/jobs.ts';
import { operatorUsername, type OperatorLogin } from '../operators/accounts.ts';
import { closeSession, openSession, SESSION_COOKIE, SESSION_TTL_MS } from '../operators/sessions.ts';
import type { HubDb } from '../storage/db.ts';
import { sameSecret, type HubRoute, type Principal } from './access.ts';
import { checkInput, hubError, requestLang, validationFailed } from './errors.ts';
import type { HubEnv } from './hub-env.ts';
import { AuditPage } from './pages/audit.tsx';
import { BoxListPage } from './pages/box-list.tsx';
import { boxSearchQuery, searchBoxes } from '../fleet/box-search.ts';
import { JobsPage } from './pages/jobs.tsx';
import { sendPage } from './pages/layout.tsx';
import { LoginPage } from './pages/login.tsx';
import { hubWords } from './words.ts';

export interface OperatorRouteDeps {
  db: HubDb;
  now: () => Date;
  login: OperatorLogin;
  /** Cookies with Secure even when the request came in plain (the hub behind a TLS proxy). */
  secureCookies: boolean;
  /** Something was queued for these boxes: send now to those online. */
  onQueued: (deviceIds: string[]) => void;
}

type Handle = (method: HubRoute['method'], path: string, h: Handler<HubEnv>) => void;
type C = Context<HubEnv>;

const LOGIN_CSRF_COOKIE = 'simpul_hub_login';
const AUDIT_PAGE = 100;

export const addressOf = (c: C) => (c.env?.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
const isJson = (c: C) => (c.req.header('content-type') ?? '').includes('application/json');
const isForm = (c: C) => /application\/x-www-form-urlencoded|multipart\/form-data/.test(c.req.header('content-type') ?? '');

/** The body as JSON or as form fields (strings); undefined when neither. */
export async function bodyOf(c: C): Promise<unknown> {
  if (isJson(c)) return c.req.json().catch(() => undefined);
  if (isForm(c)) return Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
  return undefined;
}

/** The audit entry of what `who` did in this request. */
export function auditOf(c: C, who: Principal | undefined, action: AuditAction, result: AuditResult, more: Pick<AuditEntry, 'target' | 'region' | 'detail'> = {}): AuditEntry {
  return { actor: who?.actor ?? 'anonymous', role: who?.role ?? 'none', address: addressOf(c), action, result, ...more };
}

const loginRequest = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000), csrf: z.string().max(200).optional() });
const jobIdParam = z.object({ id: z.uuid() });
const jobsQuery = z.object({ id: z.uuid().optional().catch(undefined) });
const auditQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  action: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(AUDIT_PAGE),
});

/** The jobs page's form as a job request (an empty field is absent). */
const jobForm = z
  .object({
    action: z.enum(['backup', 'restart_relay', 'diagnostics', 'sync_settings']),
    bandwidthKbps: z.string().max(10).optional(),
    nightWindow: z.string().max(20).optional(),
    targetKind: z.enum(['device', 'region', 'filter']),
    targetValue: z.string().min(1).max(63),
    expiresInMinutes: z.string().max(10).optional(),
  })
  .transform((f) => ({
    action:
      f.action === 'sync_settings'
        ? {
            action: f.action,
            ...(f.bandwidthKbps ? { bandwidthKbps: Number(f.bandwidthKbps) } : {}),
            ...(f.nightWindow ? { nightWindow: f.nightWindow === '-' ? null : f.nightWindow } : {}),
          }
        : { action: f.action },
    target: f.targetKind === 'filter' ? { filter: { text: f.targetValue } } : { [f.targetKind]: f.targetValue.trim() },
    ...(f.expiresInMinutes ? { expiresInMinutes: Number(f.expiresInMinutes) } : {}),
  }));

export function registerOperatorRoutes(handle: Handle, d: OperatorRouteDeps) {
  const secure = (c: C) => d.secureCookies || new URL(c.req.url).protocol === 'https:';
  const audit = (e: AuditEntry) => recordAudit(d.db, e, d.now());

  const loginForm = (c: C, status: 200 | 401 | 403 | 429, error?: string) => {
    const lang = requestLang(c);
    const csrf = crypto.randomUUID();
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { path: '/login', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge: 3600 });
    c.status(status);
    return sendPage(c, lang, LoginPage({ lang, csrf, error }));
  };

  handle('GET', '/login', (c) => loginForm(c, 200));

  // A form (the page; then a session cookie and back to /) or JSON (scripts, tests; then the CSRF token to send with each write).
  handle('POST', '/login', async (c) => {
    const json = isJson(c);
    const body = checkInput(c, loginRequest, await bodyOf(c));
    if (!body.success) return validationFailed(c, body.error);
    const w = hubWords[requestLang(c)];
    if (!json) {
      // Login CSRF: the form's value must be the one this browser got with the form.
      const cookie = getCookie(c, LOGIN_CSRF_COOKIE);
      if (!cookie || !body.data.csrf || !(await sameSecret(cookie, body.data.csrf))) return hubError(c, 'csrf');
    }
    const { username, password } = body.data;
    // The name as typed only when it can be a name (a password typed in the wrong field must not reach the log).
    const named = operatorUsername.safeParse(username.toLowerCase()).success ? username.toLowerCase() : '(not a user name)';
    const r = await d.login.check(username, password, addressOf(c));
    if (!r.ok) {
      await audit({ actor: named, role: 'none', address: addressOf(c), action: 'login', result: r.why === 'throttled' ? 'throttled' : 'failed' });
      if (r.why === 'throttled') {
        const seconds = Math.ceil(r.waitMs / 1000);
        c.header('retry-after', String(seconds));
        return json ? hubError(c, 'throttled', { retryAfterSeconds: seconds }) : loginForm(c, 429, w.loginThrottled(seconds));
      }
      return json ? hubError(c, 'unauthenticated', { reason: 'wrong user name or password' }) : loginForm(c, 401, w.loginFailed);
    }
    const op = r.operator;
    const s = await openSession(d.db, op.username, d.now());
    setCookie(c, SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge: SESSION_TTL_MS / 1000 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    await audit({ actor: op.username, role: op.role, address: addressOf(c), action: 'login', result: 'ok', region: op.scope });
    return json ? c.json({ username: op.username, role: op.role, scope: op.scope, csrf: s.csrf }) : c.redirect('/', 303);
  });

  handle('POST', '/logout', async (c) => {
    const who = c.get('principal');
    await closeSession(d.db, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    await audit(auditOf(c, who, 'logout', 'ok', { region: who.scope }));
    return isJson(c) ? c.json({ ok: true }) : c.redirect('/login', 303);
  });

  const makeJob = async (c: C, input: z.output<typeof jobRequest>) => {
    const who = c.get('principal');
    // A region (or a filter's region) outside the caller's is refused outright, with what to do;
    // a box outside it is as if absent (createJob finds none of the caller's: not_found).
    const t = input.target;
    const aimed = 'region' in t ? t.region : 'filter' in t ? t.filter.region : undefined;
    if (aimed !== undefined && !c.get('region').covers(aimed)) {
      await audit(auditOf(c, who, 'job_create', 'refused', { region: who.scope, detail: { action: input.action.action, reason: 'outside_region', target: aimed } }));
      return { ok: false as const, error: new JobError('outside_region', hubWords[requestLang(c)].outsideRegion(aimed, who.scope)) };
    }
    try {
      const job = await createJob(d.db, input, { actor: who.actor, scope: c.get('region').scope }, d.now());
      await audit(
        auditOf(c, who, 'job_create', 'ok', {
          target: `job ${job.id}: ${job.target}`,
          region: job.region,
          detail: { action: job.action.action, boxes: job.devices.length, expiresAt: job.expiresAt },
        }),
      );
      d.onQueued(job.devices);
      return { ok: true as const, job };
    } catch (e) {
      if (!(e instanceof JobError)) throw e;
      const a = (input as { action?: { action?: unknown } } | undefined)?.action?.action;
      await audit(auditOf(c, who, 'job_create', 'refused', { region: who.scope, detail: { action: typeof a === 'string' ? a.slice(0, 20) : null, reason: e.code } }));
      return { ok: false as const, error: e };
    }
  };

  handle('POST', '/api/jobs', async (c) => {
    const body = checkInput(c, jobRequest, await bodyOf(c));
    if (!body.success) return validationFailed(c, body.error);
    const r = await makeJob(c, body.data);
    if (!r.ok) return hubError(c, r.error.code, { reason: r.error.message }, r.error.code === 'outside_region' ? r.error.message : undefined);
    return c.json({ id: r.job.id, devices: r.job.devices, expiresAt: r.job.expiresAt }, 201);
  });

  const jobsPage = async (c: C, status: 200 | 400 | 403 | 404, detailId?: string, error?: string) => {
    const lang = requestLang(c);
    const who = c.get('principal');
    const detail = detailId ? await jobDetail(d.db, detailId, who.scope) : null;
    if (detailId && !detail && !error) error = hubWords[lang].jobNotFound;
    c.status(detailId && !detail ? 404 : status);
    return sendPage(c, lang, JobsPage({ lang, who, jobs: await listJobs(d.db, who.scope), detail, error }));
  };

  handle('GET', '/jobs', async (c) => jobsPage(c, 200, jobsQuery.parse(c.req.query()).id));

  handle('POST', '/jobs', async (c) => {
    const form = checkInput(c, jobForm, await bodyOf(c));
    const req = form.success ? checkInput(c, jobRequest, form.data) : form;
    if (!req.success)
      return jobsPage(
        c,
        400,
        undefined,
        req.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    const r = await makeJob(c, req.data);
    if (!r.ok) return jobsPage(c, r.error.code === 'not_found' ? 404 : r.error.code === 'outside_region' ? 403 : 400, undefined, r.error.message);
    return c.redirect(`/jobs?id=${r.job.id}`, 303);
  });

  handle('GET', '/api/jobs', async (c) => c.json({ jobs: await listJobs(d.db, c.get('region').scope) }));

  handle('GET', '/api/jobs/:id', async (c) => {
    const p = checkInput(c, jobIdParam, { id: c.req.param('id') });
    if (!p.success) return validationFailed(c, p.error);
    const job = await jobDetail(d.db, p.data.id, c.get('region').scope);
    return job ? c.json(job) : hubError(c, 'not_found');
  });

  const auditRows = async (c: C) => {
    const q = checkInput(c, auditQuery, c.req.query());
    return q.success ? { ok: true as const, limit: q.data.limit, rows: await listAudit(d.db, c.get('region').scope, q.data) } : { ok: false as const, error: q.error };
  };

  handle('GET', '/api/audit', async (c) => {
    const r = await auditRows(c);
    return r.ok ? c.json({ entries: r.rows }) : validationFailed(c, r.error);
  });

  handle('GET', '/audit', async (c) => {
    const r = await auditRows(c);
    if (!r.ok) return validationFailed(c, r.error);
    const lang = requestLang(c);
    return sendPage(c, lang, AuditPage({ lang, who: c.get('principal'), rows: r.rows, pageSize: r.limit }));
  });

  handle('GET', '/api/boxes', async (c) => {
    const q = checkInput(c, boxSearchQuery, c.req.query());
    if (!q.success) return validationFailed(c, q.error);
    return c.json(await searchBoxes(d.db, c.get('region').scope, q.data));
  });

  handle('GET', '/boxes', async (c) => {
    const q = checkInput(c, boxSearchQuery, c.req.query());
    if (!q.success) return validationFailed(c, q.error);
    const lang = requestLang(c);
    const who = c.get('principal');
    const r = await searchBoxes(d.db, who.scope, q.data);
    return sendPage(c, lang, BoxListPage({ lang, who, search: q.data, total: r.total, boxes: r.boxes }));
  });
}
