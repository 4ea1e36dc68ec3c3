/**
 * What the outbox still holds for the hub, for the admin page, /metrics (appliance/http/metrics.ts) and the status the box
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
