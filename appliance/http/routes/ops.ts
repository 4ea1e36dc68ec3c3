import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { allow, register, remoteOf } from '../access.ts';
import { mayReadMetrics } from '../metrics-access.ts';
import type { Registry } from 'prom-client';

/** Health and metrics: for the technician, the fleet monitor and Prometheus. */
export function registerOps(app: OpenAPIHono<AppEnv>, metrics: Registry) {
  register({ method: 'GET', path: '/healthz', access: ['public'], kind: 'api' });
  app.get('/healthz', async (c) => {
    const { ok, checks } = await c.get('deps').health();
    return c.json({ ok, checks }, ok ? 200 : 503);
  });

  // The monitor (loopback, a configured address or the metrics token) or an admin's session;
  // anyone else is refused as for a staff route.
  register({ method: 'GET', path: '/metrics', access: ['admin', 'monitor'], kind: 'api' });
  const adminOnly = allow('admin');
  app.get(
    '/metrics',
    (c, next) => (mayReadMetrics(remoteOf(c), c.req.header('authorization'), c.get('deps').metricsAccess) ? next() : adminOnly(c, next)),
    async (c) => c.text(await metrics.metrics(), 200, { 'content-type': metrics.contentType }),
  );
}
