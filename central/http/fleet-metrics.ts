/**
 * /metrics for a fleet: aggregates only, never one label value per box (22,400 boxes would be
 * 22,400 series per metric; Prometheus' own guidance is to keep label values bounded). Boxes by
 * state per province, firing alerts per rule, the hub's report intake. Written in the text format
 * by hand like the rest of the hub's /metrics (no prom-client on main when this was written).
 */
import type { HubQueryable } from '../storage/db.ts';

const line = (name: string, help: string, type: 'gauge' | 'counter', samples: [Record<string, string>, number][]) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} ${type}`,
  ...samples.map(([labels, v]) => `${name}${Object.keys(labels).length ? `{${Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`))}"`).join(',')}}` : ''} ${v}`),
];

export async function fleetMetricsText(db: HubQueryable, o: { firingByRule: Map<string, number>; reportsSinceStart: number; lastReportAt: Date | null }): Promise<string[]> {
  const { rows } = await db.query<{ province: string; state: string; n: number }>(
    `SELECT coalesce(left(d.region_code, 2), '') AS province,
            CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' ELSE coalesce(s.state, 'never_seen') END AS state, count(*)::int AS n
       FROM devices d LEFT JOIN box_state s ON s.device_id = d.id GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return [
    ...line('simpul_hub_boxes', 'Boxes by state per province (BPS code; "" = no region).', 'gauge', rows.map((r) => [{ province: r.province, state: r.state }, r.n])),
    ...line('simpul_hub_alerts_firing', 'Alerts firing per rule at the last evaluation.', 'gauge', [...o.firingByRule].map(([rule, n]) => [{ alertname: rule }, n])),
    ...line('simpul_hub_status_reports_total', 'Status reports received by this hub process since start.', 'counter', [[{}, o.reportsSinceStart]]),
    ...line('simpul_hub_last_report_timestamp_seconds', 'When this hub process last received a status report.', 'gauge', o.lastReportAt ? [[{}, o.lastReportAt.getTime() / 1000]] : []),
  ];
}
