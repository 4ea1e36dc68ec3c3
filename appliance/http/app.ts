import { OpenAPIHono, z } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from './env.ts';
import { deviceOf, loadSession } from './access.ts';
import { errorResponse, handleError } from './errors.ts';
import { pickLang, type Lang } from './i18n.ts';
import { fieldIssueOfZod, validationMessage } from './field-messages.ts';
import { RequestTallies } from './request-metrics.ts';
import { boxMetrics } from './metrics.ts';
import { loggablePath } from './log-path.ts';
import { registerOps } from './routes/ops.ts';
import { registerAuth } from './routes/auth.ts';
import { registerPatients } from './routes/patients.ts';
import { registerQueue } from './routes/queue.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerClinical } from './routes/clinical.ts';
import { registerPages } from './pages/index.tsx';
import { registerConsultation } from './routes/consultation.ts';
import { registerReports } from './routes/reports.ts';
import { registerTriage } from './routes/triage.ts';

// Scripts only from the box's own files (JSON islands are <script type="application/json">, which
// CSP does not run); no framing of staff pages; inline styles stay (the pages' CSS is inline).
const defaultCsp =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// A year; no includeSubDomains (a box's name may sit under a domain with other sites). Browsers
// ignore it over a certificate they had to be told to accept, so a self-signed box is unaffected.
const hsts = 'max-age=31536000';

/** A Logger that creates the real (child) logger only when a route first uses it. */
function lazyLogger(real: () => Logger): Logger {
  return new Proxy({} as Logger, {
    get(_t, key) {
      const l = real();
      const v = Reflect.get(l, key, l);
      return typeof v === 'function' ? v.bind(l) : v;
    },
    has: (_t, key) => Reflect.has(real(), key),
    set: (_t, key, value) => Reflect.set(real(), key, value),
  });
}

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        // Each field with a key and a sentence saying what to do, in the person's language (field-messages.ts).
        const lang = (c as never as { get(k: 'lang'): Lang }).get('lang') ?? 'id';
        const issues = result.error.issues.map((i) => fieldIssueOfZod(i as never, lang));
        return errorResponse(c as never, 'validation_failed', { issues }, validationMessage(issues, lang));
      }
    },
  });

  const requestMetrics = new RequestTallies();
  // One middleware instead of three (request id, log/metrics, security headers): each layer of
  // Hono's compose costs an async frame per request, and a ticket-status answer is tiny.
  app.use('*', async (c, next) => {
    // As hono/request-id: the caller's X-Request-Id when it is sane, else a fresh one.
    let reqId = c.req.header('x-request-id');
    if (!reqId || reqId.length > 255 || /[^\w\-=]/.test(reqId)) reqId = crypto.randomUUID();
    c.set('requestId', reqId);
    c.header('X-Request-Id', reqId);
    // The security headers go in before the handler, so c.json()/c.html() build the response with
    // them. Setting them after next() made Hono rebuild the finished Response once per c.header()
    // (each rebuild reads .body, which turns @hono/node-server's string-bodied response into a
    // ReadableStream it then pumps). With this and the one-shot token hash (clinic/queue.ts), ticket
    // status at 200 connections went from 6.3–7.3k req/s (20–23% of bare, p99 33–86 ms) to
    // 12.1–12.6k (37–38%, p99 22–43 ms). A handler may still set its own CSP (it overrides this one).
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('content-security-policy', defaultCsp);
    c.header('x-frame-options', 'DENY');
    if (c.req.url.startsWith('https:')) c.header('strict-transport-security', hsts);
    c.set('deps', deps);
    // Pages are in Bahasa Indonesia unless the person chose English (the switch or ?lang=en sets the
    // cookie): a phone set to English still opens /ambil in Indonesian. API clients may ask by header.
    const acceptLanguage = c.req.path.startsWith('/api/') ? c.req.header('accept-language') : undefined;
    c.set('lang', pickLang(c.req.query('lang'), getCookie(c, 'lang'), acceptLanguage));
    // The per-request child logger is built on first use: most requests never log (a GET's line is
    // at debug), and pino's child() serialises its bindings each time.
    let child: Logger | undefined;
    const logger = () => (child ??= deps.log.child({ reqId }));
    c.set('log', lazyLogger(logger));
    const started = performance.now();
    await next();
    const elapsed = performance.now() - started;
    const res = c.res;
    const status = res.status;
    // A handler that returned its own Response (not built through c) did not get the prepared
    // headers: add them afterwards as before, keeping a CSP of its own.
    if (!res.headers.has('x-content-type-options')) {
      c.header('x-content-type-options', 'nosniff');
      c.header('referrer-policy', 'no-referrer');
      if (!c.res.headers.has('content-security-policy')) c.header('content-security-policy', defaultCsp);
      c.header('x-frame-options', 'DENY');
      if (c.req.url.startsWith('https:')) c.header('strict-transport-security', hsts);
    }
    // After next(), the last matched route is the handler that answered (a pattern, never a token).
    const route = routePath(c, -1);
    requestMetrics.observe(c.req.method, status === 404 && route === '*' ? 'unmatched' : route, status, elapsed / 1000);
    // Per-request lines at debug: a queue screen polls; errors and writes are what a technician reads.
    const level = status >= 500 ? 'error' : c.req.method === 'GET' ? 'debug' : 'info';
    if (!deps.log.isLevelEnabled(level)) return;
    const ms = Math.round(elapsed * 10) / 10;
    const path = loggablePath(c.req.path); // never a ticket link's secret
    logger()[level]({ method: c.req.method, path, status, ms, device: deviceOf(c) }, `${c.req.method} ${path} → ${status}`);
  });
  const maxBody = 64 * 1024;
  const limitBody = bodyLimit({ maxSize: maxBody, onError: (c) => errorResponse(c as never, 'payload_too_large') });
  // Only requests that carry a body: touching a request's .body makes the Node adapter build a full
  // Request, which costs more than the rest of a ticket-status answer (measured with --cpu-prof).
  // bodyLimit touches it even when a Content-Length already gives the size, so that case (every
  // phone's take-a-number) is checked here as bodyLimit would: 12% of take-a-number's CPU.
  app.use('/api/*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return limitBody(c, next);
    return parseInt(length, 10) > maxBody ? Promise.resolve(errorResponse(c as never, 'payload_too_large')) : next();
  });
  app.use('*', loadSession);

  registerOps(app, boxMetrics(deps, requestMetrics));
  registerAuth(app, deps.now);
  registerPatients(app);
  registerQueue(app);
  registerClinical(app);
  if (deps.relay) registerConsultation(app, deps.relay);
  registerAdmin(app);
  registerReports(app);
  registerTriage(app);
  registerPages(app);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Simpul box API',
      version: '1',
      description:
        'The puskesmas box’s JSON API. Staff routes need a session cookie from POST /api/v1/auth/login and the x-csrf-token it returns on writes. Examples work against the demo data (`npm start`).',
    },
  });

  app.notFound((c) => errorResponse(c, 'route_not_found', { path: c.req.path }));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
export { z };
