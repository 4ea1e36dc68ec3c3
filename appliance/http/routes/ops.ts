import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { allow, register, remoteOf } from '../access.ts';
import { mayReadMetrics } from '../metrics-access.ts';
import type { RequestMetrics } from '../request-metrics.ts';

/** Health and metrics: for the technician, the fleet monitor and Prometheus. */
export function registerOps(app: OpenAPIHono<AppEnv>, requests: RequestMetrics) {
  register({ method: 'GET', path: '/healthz', access: ['public'], kind: 'api' });
  app.get('/healthz', async (c) => {
    const { ok, checks } = await c.get('deps').health();
    return c.json({ ok, checks }, ok ? 200 : 503);
  });

  // The monitor (loopback, a configured address or the metrics token) or an admin's session;
  // anyone else is refused as for a staff route.
  register({ method: 'GET', path: '/metrics', access: ['admin', 'monitor'], kind: 'api' });
  const adminOnly = allow('admin');
  app.get('/metrics', (c, next) => (mayReadMetrics(remoteOf(c), c.req.header('authorization'), c.get('deps').metricsAccess) ? next() : adminOnly(c, next)), async (c) => {
    const deps = c.get('deps');
    const lines: string[] = ['# TYPE simpul_queue_waiting gauge', '# TYPE simpul_queue_taken_today gauge'];
    for (const p of deps.settings.polis) {
      const list = await deps.queue.list(p.code);
      const waiting = list.filter((v) => v.ticket.status === 'waiting').length;
      lines.push(`simpul_queue_waiting{poli="${p.code}"} ${waiting}`, `simpul_queue_taken_today{poli="${p.code}"} ${list.length}`);
    }
    const extra = deps.metrics ? await deps.metrics() : '';
    // The outbox backlog and link state come from sync (simpul_outbox_pending, …).
    return c.text(lines.join('\n') + '\n' + requests.text() + deps.live.metricsText() + deps.phoneTickets.metricsText() + (await deps.sync.metrics()) + extra, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
}
