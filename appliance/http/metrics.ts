/**
 * Every figure the box's /metrics shows, each defined once here on one prom-client registry. The
 * figures are read when Prometheus scrapes (each metric's `collect`), from the parts that keep
 * them: the request tallies, the queue, the live-connection and phone-ticket caps, sync's backlog,
 * the relay and its process. Nothing here is kept twice: the parts count, this only shows.
 *
 * Names are part of the box's interface (dashboards, alerts, the READMEs and tests use them):
 * rename nothing without changing those too.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { AppDeps } from './env.ts';
import type { LiveConnections } from './live-connections.ts';
import type { PhoneTickets } from './phone-tickets.ts';
import type { RequestTallies } from './request-metrics.ts';
import type { MediaRelay } from '../relay/relay.ts';
import type { SyncStats } from '../sync/index.ts';

type Source<T> = () => T | Promise<T>;

/** A counter whose total another part keeps: the scrape copies it (prom-client counters only add). */
function total(registry: Registry, name: string, help: string, read: Source<number>) {
  new Counter({
    name,
    help,
    registers: [registry],
    async collect() {
      const v = await read();
      this.reset();
      this.inc(v);
    },
  });
}

/** A gauge read at scrape time; `null` leaves the sample out (a time that has not happened yet). */
function gauge(registry: Registry, name: string, help: string, read: Source<number | null>) {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const v = await read();
      if (v == null) this.remove();
      else this.set(v);
    },
  });
}

export function registerRequestMetrics(registry: Registry, tallies: RequestTallies) {
  const labelNames = ['method', 'route', 'status'] as const;
  new Counter({
    name: 'simpul_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const t of tallies.all()) this.inc(t.labels, t.n);
    },
  });
  new Counter({
    name: 'simpul_http_request_seconds_total',
    help: 'Time spent answering, by route pattern and status.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const t of tallies.all()) this.inc(t.labels, t.seconds);
    },
  });
}

export function registerQueueMetrics(registry: Registry, deps: Pick<AppDeps, 'queue' | 'settings'>) {
  // One read of the queue feeds both gauges of a scrape.
  let reading: Promise<{ poli: string; waiting: number; taken: number }[]> | null = null;
  const read = () =>
    (reading ??= Promise.all(
      deps.settings.polis.map(async (p) => {
        const list = await deps.queue.list(p.code);
        return { poli: p.code, waiting: list.filter((v) => v.ticket.status === 'waiting').length, taken: list.length };
      }),
    ).finally(() =>
      queueMicrotask(() => {
        reading = null;
      }),
    ));
  new Gauge({
    name: 'simpul_queue_waiting',
    help: 'Tickets waiting now, per poli.',
    labelNames: ['poli'],
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const r of rows) this.set({ poli: r.poli }, r.waiting);
    },
  });
  new Gauge({
    name: 'simpul_queue_taken_today',
    help: 'Tickets taken today, per poli.',
    labelNames: ['poli'],
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const r of rows) this.set({ poli: r.poli }, r.taken);
    },
  });
}

export function registerLiveMetrics(registry: Registry, live: LiveConnections) {
  gauge(registry, 'simpul_live_connections_open', 'Open live-update streams and sockets.', () => live.stats().open);
  new Counter({
    name: 'simpul_live_connections_refused_total',
    help: 'Live-update streams refused since start, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(live.refusals())) this.inc({ reason }, n);
    },
  });
}

export function registerPhoneTicketMetrics(registry: Registry, phoneTickets: PhoneTickets) {
  new Counter({
    name: 'simpul_phone_tickets_refused_total',
    help: 'Numbers refused to phones since start, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(phoneTickets.refusals())) this.inc({ reason }, n);
    },
  });
}

export function registerSyncMetrics(registry: Registry, sync: { stats(): Promise<SyncStats> }) {
  // One read of the backlog (a database query) feeds every sync figure of a scrape.
  let reading: Promise<SyncStats> | null = null;
  const read = () =>
    (reading ??= sync.stats().finally(() =>
      queueMicrotask(() => {
        reading = null;
      }),
    ));
  const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : null);
  gauge(registry, 'simpul_outbox_pending', 'Records waiting to reach the hub (parked ones excluded).', async () => (await read()).pending);
  gauge(registry, 'simpul_outbox_parked', 'Records the hub rejected as invalid, waiting for a person.', async () => (await read()).parked);
  gauge(registry, 'simpul_outbox_oldest_age_seconds', 'Age of the oldest record waiting to reach the hub.', async () => (await read()).oldestPendingAgeSeconds ?? 0);
  gauge(registry, 'simpul_outbox_bytes_pending', 'Payload bytes waiting to reach the hub, as stored (before the wire compression).', async () => (await read()).bytesPending);
  gauge(registry, 'simpul_sync_connected', '1 when the box is connected to the hub broker.', async () => ((await read()).connected ? 1 : 0));
  gauge(registry, 'simpul_sync_last_success_timestamp_seconds', 'When the hub last acknowledged records.', async () => seconds((await read()).lastSyncAt));
  gauge(registry, 'simpul_sync_last_error_timestamp_seconds', 'When sync last failed.', async () => seconds((await read()).lastErrorAt));
  total(registry, 'simpul_sync_records_delivered_total', 'Records the hub acknowledged since start.', async () => (await read()).recordsDelivered);
  total(registry, 'simpul_sync_bytes_sent_total', 'Uplink frame bytes published since start.', async () => (await read()).bytesSent);
  total(registry, 'simpul_sync_reconnects_total', 'Reconnect attempts since start.', async () => (await read()).reconnects);
}

export function registerRelayMetrics(registry: Registry, relay: MediaRelay) {
  // One question to the relay (its process, on a box) per scrape; it starts the process's
  // loop-delay figures again, so that each scrape shows the delay since the one before.
  let reading: ReturnType<MediaRelay['metricsFigures']> | null = null;
  const read = () =>
    (reading ??= relay.metricsFigures().finally(() =>
      queueMicrotask(() => {
        reading = null;
      }),
    ));
  gauge(registry, 'simpul_relay_rooms', 'Consultation rooms with a participant connected.', async () => (await read()).relay.rooms);
  gauge(registry, 'simpul_relay_peer_connections', 'Open media peer connections.', async () => (await read()).relay.peerConnections);
  total(registry, 'simpul_relay_calls_total', 'Calls that got media.', async () => (await read()).relay.calls);
  total(registry, 'simpul_relay_refused_no_consent_total', 'Offers refused for want of consent.', async () => (await read()).relay.refusedNoConsent);
  total(registry, 'simpul_relay_keyframe_requests_total', 'PLI/FIR sent to senders.', async () => (await read()).relay.keyframeRequests);
  total(registry, 'simpul_relay_forwarded_bytes_total', 'RTP payload bytes forwarded.', async () => (await read()).relay.bytesForwarded);
  // The relay's own process (a box); an in-process relay (tests) has none of these.
  const proc = async () => (await read()).process;
  gauge(registry, 'simpul_relay_process_up', 'Whether the relay process is running.', async () => {
    const p = await proc();
    return p ? (p.figures ? 1 : 0) : null;
  });
  new Counter({
    name: 'simpul_relay_process_restarts_total',
    help: 'Times the relay process ended and was started again.',
    registers: [registry],
    async collect() {
      const p = await proc();
      if (p) {
        this.reset();
        this.inc(p.restarts);
      } else this.remove();
    },
  });
  gauge(registry, 'simpul_relay_process_resident_memory_bytes', 'Resident memory of the relay process.', async () => (await proc())?.figures?.rss ?? null);
  new Counter({
    name: 'simpul_relay_process_cpu_seconds_total',
    help: 'CPU time of the relay process.',
    registers: [registry],
    async collect() {
      const f = (await proc())?.figures;
      if (f) {
        this.reset();
        this.inc(f.cpuUs / 1e6);
      } else this.remove();
    },
  });
  gauge(registry, 'simpul_relay_event_loop_delay_p99_seconds', 'Relay event-loop delay, 99th percentile since the previous scrape.', async () => {
    const f = (await proc())?.figures;
    return f ? f.loopDelayP99 / 1000 : null;
  });
}

/** The box's /metrics: one registry per app, every figure above. */
export function boxMetrics(deps: AppDeps, tallies: RequestTallies): Registry {
  const registry = new Registry();
  gauge(registry, 'process_resident_memory_bytes', 'Resident memory of the box process.', () => process.memoryUsage().rss);
  registerQueueMetrics(registry, deps);
  registerRequestMetrics(registry, tallies);
  registerLiveMetrics(registry, deps.live);
  registerPhoneTicketMetrics(registry, deps.phoneTickets);
  registerSyncMetrics(registry, deps.sync);
  if (deps.relay) registerRelayMetrics(registry, deps.relay);
  return registry;
}
