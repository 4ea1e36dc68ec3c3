import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { register } from '../access.ts';
import { outboxSummary } from '../../clinic/outbox.ts';
import type { RequestMetrics } from '../request-metrics.ts';

/** Health and metrics: for the technician, the fleet monitor and Prometheus. */
export function registerOps(app: OpenAPIHono<AppEnv>, requests: RequestMetrics) {
  register({ method: 'GET', path: '/healthz', access: ['public'], kind: 'api' });
  app.get('/healthz', async (c) => {
    const { ok, checks } = await c.get('deps').health();
    return c.json({ ok, checks }, ok ? 200 : 503);
  });

  register({ method: 'GET', path: '/metrics', access: ['public'], kind: 'api' });
  app.get('/metrics', async (c) => {
    const deps = c.get('deps');
    const o = await outboxSummary(deps.db);
    const oldestAge = o.oldestPendingAt ? (Date.now() - Date.parse(o.oldestPendingAt)) / 1000 : 0;
    const mem = process.memoryUsage();
    const lines = [
      '# HELP simpul_outbox_pending Records waiting to be sent to the centre.',
      '# TYPE simpul_outbox_pending gauge',
      `simpul_outbox_pending ${o.pending}`,
      '# HELP simpul_outbox_oldest_age_seconds Age of the oldest record waiting to be sent.',
      '# TYPE simpul_outbox_oldest_age_seconds gauge',
      `simpul_outbox_oldest_age_seconds ${oldestAge.toFixed(1)}`,
      '# HELP simpul_outbox_bytes_pending Payload bytes waiting to be sent.',
      '# TYPE simpul_outbox_bytes_pending gauge',
      `simpul_outbox_bytes_pending ${o.bytesPending}`,
      '# HELP process_resident_memory_bytes Resident memory of the box process.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
    ];
    for (const p of deps.settings.polis) {
      const list = await deps.queue.list(p.code);
      const waiting = list.filter((v) => v.ticket.status === 'waiting').length;
      lines.push(`simpul_queue_waiting{poli="${p.code}"} ${waiting}`, `simpul_queue_taken_today{poli="${p.code}"} ${list.length}`);
    }
    const extra = deps.metrics ? await deps.metrics() : '';
    return c.text(lines.join('\n') + '\n' + requests.text() + extra, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
}
