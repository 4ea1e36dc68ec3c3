/**
 * One box as the console's detail page shows it: the registry, the hub's state of it and its last
 * status report (checked against the contract: a report the hub kept but cannot read shows as none).
 * The caller checks that the box is the operator's (operators/region-filter.ts).
 */
import { boxStatus, type BoxStatus } from '../contract/index.ts';
import type { HubQueryable } from '../storage/db.ts';
import type { BoxStateName, BoxStateReason } from './fleet-state.ts';

export interface BoxDetail {
  id: string;
  facilityCode: string;
  name: string;
  regionCode: string | null;
  regionName: string | null;
  tags: string[];
  state: BoxStateName;
  reason: BoxStateReason;
  since: string | null;
  lastReportAt: string | null;
  /** The last status report, as the box sent it (v1: the outbox only; v2: everything). */
  lastStatus: BoxStatus | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function boxDetail(db: HubQueryable, deviceId: string): Promise<BoxDetail | null> {
  const { rows } = await db.query<{
    id: string;
    facility_code: string;
    name: string;
    region_code: string | null;
    region_name: string | null;
    tags: string[] | null;
    revoked_at: unknown;
    created_at: unknown;
    state: BoxStateName | null;
    reason: BoxStateReason | null;
    since: unknown;
    last_report_at: unknown;
    last_status: unknown;
  }>(
    `SELECT d.id, d.facility_code, d.name, d.region_code, r.name AS region_name, d.tags, d.revoked_at, d.created_at, s.state, s.reason, s.since, s.last_report_at, d.last_status
       FROM devices d LEFT JOIN box_state s ON s.device_id = d.id LEFT JOIN regions r ON r.code = d.region_code WHERE d.id = $1`,
    [deviceId],
  );
  const r = rows[0];
  if (!r) return null;
  const status = r.last_status == null ? null : boxStatus.safeParse(r.last_status);
  const revoked = r.revoked_at != null;
  return {
    id: r.id,
    facilityCode: r.facility_code,
    name: r.name,
    regionCode: r.region_code,
    regionName: r.region_name,
    tags: r.tags ?? [],
    state: revoked ? 'revoked' : (r.state ?? 'never_seen'),
    reason: revoked ? 'revoked_in_registry' : (r.reason ?? 'never_reported'),
    since: revoked ? iso(r.revoked_at) : (iso(r.since) ?? iso(r.created_at)),
    lastReportAt: iso(r.last_report_at),
    lastStatus: status?.success ? status.data : null,
  };
}
