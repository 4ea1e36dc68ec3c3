import { OpenAPIHono, z } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from './env.ts';
import { deviceOf, loadSession } from './access.ts';
import { errorResponse, handleError } from './errors.ts';
import { pickLang } from './i18n.ts';
import { RequestMetrics } from './request-metrics.ts';
import { registerOps } from './routes/ops.ts';
import { registerAuth } from './routes/auth.ts';
import { registerPatients } from './routes/patients.ts';
import { registerQueue } from './routes/queue.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerClinical } from './routes/clinical.ts';
import { registerPages } from './pages/index.tsx';
import { registerConsultation } from './routes/consultation.ts';

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return errorResponse(c as never, 'validation_failed', { issues });
      }
    },
  });

  const requestMetrics = new RequestMetrics();
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('lang', pickLang(c.req.query('lang'), getCookie(c, 'lang'), c.req.header('accept-language')));
    const log = deps.log.child({ reqId: c.get('requestId') });
    c.set('log', log);
    const started = performance.now();
    await next();
    const elapsed = performance.now() - started;
    // After next(), the last matched route is the handler that answered (a pattern, never a token).
    requestMetrics.observe(c.req.method, c.res.status === 404 && routePath(c, -1) === '*' ? 'unmatched' : routePath(c, -1), c.res.status, elapsed / 1000);
    const ms = Math.round(elapsed * 10) / 10;
    // Per-request lines at debug: a queue screen polls; errors and writes are what a technician reads.
    const level = c.res.status >= 500 ? 'error' : c.req.method === 'GET' ? 'debug' : 'info';
    log[level]({ method: c.req.method, path: c.req.path, status: c.res.status, ms, device: deviceOf(c) }, `${c.req.method} ${c.req.path} → ${c.res.status}`);
  });
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    if (!c.res.headers.has('content-security-policy')) {
      c.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; media-src 'self' blob:; connect-src 'self'");
    }
  });
  const limitBody = bodyLimit({ maxSize: 64 * 1024, onError: (c) => errorResponse(c as never, 'payload_too_large') });
  // Only requests that carry a body: touching a GET's body makes the Node adapter build a full
  // Request, which costs more than the rest of a ticket-status answer (measured with --cpu-prof).
  app.use('/api/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  app.use('*', loadSession);

  registerOps(app, requestMetrics);
  registerAuth(app);
  registerPatients(app);
  registerQueue(app);
  registerClinical(app);
  if (deps.relay) registerConsultation(app, deps.relay);
  registerAdmin(app);
  registerPages(app);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Simpul box API',
      version: '1',
      description: 'The puskesmas box’s JSON API. Staff routes need a session cookie from POST /api/v1/auth/login and the x-csrf-token it returns on writes. Examples work against the demo data (`npm start`).',
    },
  });

  app.notFound((c) => errorResponse(c, 'route_not_found', { path: c.req.path }));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
export { z };
