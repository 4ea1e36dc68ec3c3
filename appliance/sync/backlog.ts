/**
 * What the outbox still holds for the hub, for the admin page, /metrics and the status the box
 * reports to the hub. Parked records are counted apart: they wait for a person, not for the link.
 */
import type { Backlog } from '../clinic/outbox.ts';
export { readBacklog, listParked, unpark, type Backlog, type ParkedRecord } from '../clinic/outbox.ts';

export interface SyncStats extends Backlog {
  enabled: boolean;
  connected: boolean;
  deviceId: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  recordsDelivered: number;
  batchesSent: number;
  bytesSent: number;
  reconnects: number;
  downlinkApplied: number;
}

/** Prometheus text for the box's /metrics. */
export function syncMetricsText(s: SyncStats): string {
  const g = (name: string, help: string, v: number | null) => (v == null ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`]);
  return [
    ...g('simpul_outbox_pending', 'Records waiting to reach the hub (parked ones excluded).', s.pending),
    ...g('simpul_outbox_parked', 'Records the hub rejected as invalid, waiting for a person.', s.parked),
    ...g('simpul_outbox_oldest_age_seconds', 'Age of the oldest record waiting to reach the hub.', s.oldestPendingAgeSeconds ?? 0),
    ...g('simpul_outbox_bytes_pending', 'Payload bytes waiting to reach the hub, as stored (before the wire compression).', s.bytesPending),
    ...g('simpul_sync_connected', '1 when the box is connected to the hub broker.', s.connected ? 1 : 0),
    ...g('simpul_sync_last_success_timestamp_seconds', 'When the hub last acknowledged records.', s.lastSyncAt ? Date.parse(s.lastSyncAt) / 1000 : null),
    ...g('simpul_sync_last_error_timestamp_seconds', 'When sync last failed.', s.lastErrorAt ? Date.parse(s.lastErrorAt) / 1000 : null),
    '# HELP simpul_sync_records_delivered_total Records the hub acknowledged since start.',
    '# TYPE simpul_sync_records_delivered_total counter',
    `simpul_sync_records_delivered_total ${s.recordsDelivered}`,
    '# HELP simpul_sync_bytes_sent_total Uplink frame bytes published since start.',
    '# TYPE simpul_sync_bytes_sent_total counter',
    `simpul_sync_bytes_sent_total ${s.bytesSent}`,
    '# HELP simpul_sync_reconnects_total Reconnect attempts since start.',
    '# TYPE simpul_sync_reconnects_total counter',
    `simpul_sync_reconnects_total ${s.reconnects}`,
  ].join('\n') + '\n';
}
