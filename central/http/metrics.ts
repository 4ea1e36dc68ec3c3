/**
 * Every figure the hub's /metrics shows, each defined once here on one prom-client registry, read
 * when Prometheus scrapes. Aggregates only, never one label value per box: 22,400 boxes would be
 * 22,400 series per metric (Prometheus' guidance is to keep label values bounded); a box's own
 * figures are on the console and its JSON routes. Names are part of the hub's interface
 * (dashboards, alerts, READMEs, tests).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { HubDb } from '../storage/db.ts';

export interface HubMetricSources {
  db: HubDb;
  /** Counts of invalid messages per channel (in memory, since start). */
  invalid: () => Map<string, number>;
  /** Records this process stored, by type (in memory, since start). */
  storedHere: () => Map<string, number>;
  /** The fleet's alerts and report intake (absent in hubs built without them, e.g. some tests). */
  fleet?: { alerts: { firingByRule: Map<string, number> }; fleet: { reportsSinceStart: number; lastReportAt: Date | null } };
}

export function hubMetrics(s: HubMetricSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  const perType = (sql: string) => async () => (await s.db.query<{ type: string; n: number }>(sql)).rows;

  const stored = perType(`SELECT type, count(*)::int AS n FROM entities GROUP BY 1 ORDER BY 1`);
  new Gauge({
    name: 'simpul_hub_entities_stored',
    help: 'Entities (their newest version) stored at the hub, per type.',
    labelNames: ['type'],
    registers,
    async collect() {
      const rows = await stored();
      this.reset();
      for (const r of rows) this.set({ type: r.type }, r.n);
    },
  });
  const rejected = perType(`SELECT type, count(*)::int AS n FROM rejections GROUP BY 1 ORDER BY 1`);
  new Counter({
    name: 'simpul_hub_records_rejected_total',
    help: 'Records rejected as invalid (parked on the box), per type.',
    labelNames: ['type'],
    registers,
    async collect() {
      const rows = await rejected();
      this.reset();
      for (const r of rows) this.inc({ type: r.type }, r.n);
    },
  });
  new Counter({
    name: 'simpul_hub_messages_invalid_total',
    help: 'Messages refused before storing (bad frame, schema, unknown box), since start.',
    labelNames: ['channel'],
    registers,
    collect() {
      this.reset();
      for (const [channel, n] of s.invalid()) this.inc({ channel }, n);
    },
  });
  new Counter({
    name: 'simpul_hub_process_records_stored_total',
    help: 'Records this hub process stored since it started, per type.',
    labelNames: ['type'],
    registers,
    collect() {
      this.reset();
      for (const [type, n] of s.storedHere()) this.inc({ type }, n);
    },
  });
  new Gauge({
    name: 'simpul_hub_downlink_pending',
    help: 'Messages waiting for boxes to acknowledge.',
    registers,
    async collect() {
      this.set((await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE acked_at IS NULL`)).rows[0].n);
    },
  });

  const fleet = s.fleet;
  if (!fleet) return registry;
  new Gauge({
    name: 'simpul_hub_boxes',
    help: 'Boxes by state per province (BPS code; "" = no region).',
    labelNames: ['province', 'state'],
    registers,
    async collect() {
      const { rows } = await s.db.query<{ province: string; state: string; n: number }>(
        `SELECT coalesce(left(d.region_code, 2), '') AS province,
                CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' ELSE coalesce(st.state, 'never_seen') END AS state, count(*)::int AS n
           FROM devices d LEFT JOIN box_state st ON st.device_id = d.id GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      this.reset();
      for (const r of rows) this.set({ province: r.province, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'simpul_hub_alerts_firing',
    help: 'Alerts firing per rule at the last evaluation.',
    labelNames: ['alertname'],
    registers,
    collect() {
      this.reset();
      for (const [alertname, n] of fleet.alerts.firingByRule) this.set({ alertname }, n);
    },
  });
  new Counter({
    name: 'simpul_hub_status_reports_total',
    help: 'Status reports received by this hub process since start.',
    registers,
    collect() {
      this.reset();
      this.inc(fleet.fleet.reportsSinceStart);
    },
  });
  new Gauge({
    name: 'simpul_hub_last_report_timestamp_seconds',
    help: 'When this hub process last received a status report.',
    registers,
    collect() {
      this.reset();
      if (fleet.fleet.lastReportAt) this.set(fleet.fleet.lastReportAt.getTime() / 1000);
    },
  });
  return registry;
}
