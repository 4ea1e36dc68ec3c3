/**
 * Every figure the hub's /metrics shows, each defined once here on one prom-client registry, read
 * when Prometheus scrapes: the stored and rejected records (database), this process's counts of
 * invalid messages and stored records (memory), and each box's last contact, backlog and waiting
 * downlink. Names are part of the hub's interface (dashboards, alerts, READMEs, tests).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { listDevices } from '../fleet/devices.ts';
import type { HubDb } from '../storage/db.ts';

export interface HubMetricSources {
  db: HubDb;
  /** Counts of invalid messages per channel (in memory, since start). */
  invalid: () => Map<string, number>;
  /** Records this process stored, by type (in memory, since start). */
  storedHere: () => Map<string, number>;
}

export function hubMetrics(s: HubMetricSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  const perBoxAndType = (sql: string) => async () => (await s.db.query<{ device_id: string; type: string; n: number }>(sql)).rows;

  const stored = perBoxAndType(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2 ORDER BY 1, 2`);
  new Counter({
    name: 'simpul_hub_records_stored_total', help: 'Records stored at the hub (each version once), per box and type.', labelNames: ['device', 'type'], registers,
    async collect() { const rows = await stored(); this.reset(); for (const r of rows) this.inc({ device: r.device_id, type: r.type }, r.n); },
  });
  const rejected = perBoxAndType(`SELECT device_id, type, count(*)::int AS n FROM rejections GROUP BY 1, 2 ORDER BY 1, 2`);
  new Counter({
    name: 'simpul_hub_records_rejected_total', help: 'Records rejected as invalid (parked on the box), per box and type.', labelNames: ['device', 'type'], registers,
    async collect() { const rows = await rejected(); this.reset(); for (const r of rows) this.inc({ device: r.device_id, type: r.type }, r.n); },
  });
  new Counter({
    name: 'simpul_hub_messages_invalid_total', help: 'Messages refused before storing (bad frame, schema, unknown box), since start.', labelNames: ['channel'], registers,
    collect() { this.reset(); for (const [channel, n] of s.invalid()) this.inc({ channel }, n); },
  });
  new Counter({
    name: 'simpul_hub_process_records_stored_total', help: 'Records this hub process stored since it started, per type.', labelNames: ['type'], registers,
    collect() { this.reset(); for (const [type, n] of s.storedHere()) this.inc({ type }, n); },
  });

  // One read of the device list feeds both per-box gauges of a scrape.
  let reading: ReturnType<typeof listDevices> | null = null;
  const devices = () => (reading ??= listDevices(s.db).finally(() => queueMicrotask(() => { reading = null; })));
  new Gauge({
    name: 'simpul_hub_box_last_seen_timestamp_seconds', help: 'When the box last sent anything.', labelNames: ['device'], registers,
    async collect() {
      const list = await devices();
      this.reset();
      for (const x of list) if (x.lastSeenAt) this.set({ device: x.id }, Date.parse(x.lastSeenAt) / 1000);
    },
  });
  new Gauge({
    name: 'simpul_hub_box_outbox_pending', help: 'Backlog the box last reported.', labelNames: ['device'], registers,
    async collect() {
      const list = await devices();
      this.reset();
      for (const x of list) if (x.lastStatus) this.set({ device: x.id }, Number((x.lastStatus as { pending?: number }).pending ?? 0));
    },
  });
  new Gauge({
    name: 'simpul_hub_downlink_pending', help: 'Messages waiting for the box to acknowledge.', labelNames: ['device'], registers,
    async collect() {
      const { rows } = await s.db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
      this.reset();
      for (const r of rows) this.set({ device: r.device_id }, r.n);
    },
  });
  return registry;
}
