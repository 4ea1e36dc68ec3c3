/**
 * What the console reads: the box list (filtered, sorted, paged) and counts by state per region.
 * A box never reported has no box_state row: it is `never_seen`. Region filters are prefixes of
 * devices.region_code (SHARED-DECISIONS: '' national, 2 digits a province, 4 a district).
 */
import { z } from 'zod';
import type { HubQueryable } from '../storage/db.ts';
import type { BoxStateName, BoxStateReason } from './fleet-state.ts';

export const BOX_STATES = ['online', 'stale', 'offline', 'never_seen', 'revoked'] as const;

export const boxListQuery = z
  .object({
    region: z
      .string()
      .regex(/^([0-9]{2}){0,2}$/)
      .default(''),
    state: z.enum(BOX_STATES).optional(),
    tag: z
      .string()
      .regex(/^[a-z0-9][a-z0-9:_-]{0,39}$/)
      .optional(),
    sw: z
      .string()
      .regex(/^[0-9A-Za-z.+_-]{1,40}$/)
      .optional(),
    /** Part of the id, facility code or name. */
    q: z.string().max(60).optional(),
    sort: z.enum(['id', 'facility', 'state', 'last_report', 'region']).default('facility'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type BoxListQuery = z.input<typeof boxListQuery>;

export interface BoxRow {
  id: string;
  facilityCode: string;
  name: string;
  regionCode: string | null;
  tags: string[];
  state: BoxStateName;
  reason: BoxStateReason;
  since: string | null;
  lastReportAt: string | null;
  sw: string | null;
}

const STATE_SQL = `CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' ELSE coalesce(s.state, 'never_seen') END`;
const ORDER: Record<string, string> = {
  id: 'd.id',
  facility: 'd.facility_code, d.id',
  state: `${STATE_SQL}, d.id`,
  last_report: 's.last_report_at DESC NULLS LAST, d.id',
  region: 'd.region_code NULLS LAST, d.id',
};

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function listBoxes(db: HubQueryable, input: BoxListQuery): Promise<{ total: number; boxes: BoxRow[] }> {
  const f = boxListQuery.parse(input);
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  // A range, not LIKE, so the index on region_code serves it whatever the collation.
  if (f.region) where.push(`d.region_code BETWEEN ${p(f.region)} AND ${p(f.region.padEnd(4, '9'))}`);
  if (f.state) where.push(`${STATE_SQL} = ${p(f.state)}`);
  if (f.tag) where.push(`${p(f.tag)} = ANY (d.tags)`);
  if (f.sw) where.push(`s.sw = ${p(f.sw)}`);
  if (f.q) {
    const like = p(`%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    where.push(`(d.id ILIKE ${like} OR d.facility_code ILIKE ${like} OR d.name ILIKE ${like})`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await db.query<{
    id: string;
    facility_code: string;
    name: string;
    region_code: string | null;
    tags: string[];
    state: BoxStateName;
    reason: BoxStateReason;
    since: unknown;
    last_report_at: unknown;
    sw: string | null;
    total: number;
  }>(
    `SELECT d.id, d.facility_code, d.name, d.region_code, d.tags, ${STATE_SQL} AS state,
            CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked_in_registry' ELSE coalesce(s.reason, 'never_reported') END AS reason,
            CASE WHEN d.revoked_at IS NOT NULL THEN d.revoked_at ELSE coalesce(s.since, d.created_at) END AS since,
            s.last_report_at, s.sw, count(*) OVER ()::int AS total
       FROM devices d LEFT JOIN box_state s ON s.device_id = d.id
       ${w} ORDER BY ${ORDER[f.sort]} LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return {
    total: rows[0]?.total ?? 0,
    boxes: rows.map((r) => ({
      id: r.id,
      facilityCode: r.facility_code,
      name: r.name,
      regionCode: r.region_code,
      tags: r.tags ?? [],
      state: r.state,
      reason: r.reason,
      since: iso(r.since),
      lastReportAt: iso(r.last_report_at),
      sw: r.sw,
    })),
  };
}

/** Boxes by state for each child region of `region` ('' → provinces, 2 digits → its districts). */
export async function countsByRegion(db: HubQueryable, region = ''): Promise<{ code: string; name: string | null; counts: Record<BoxStateName, number>; total: number }[]> {
  if (!/^([0-9]{2}){0,2}$/.test(region)) throw new Error('region must be empty, 2 or 4 digits');
  const len = Math.min(region.length + 2, 4);
  const { rows } = await db.query<{ code: string; state: BoxStateName; n: number; name: string | null }>(
    `SELECT c.code, c.state, c.n, r.name FROM (
       SELECT coalesce(left(d.region_code, $2), '') AS code, ${STATE_SQL} AS state, count(*)::int AS n
         FROM devices d LEFT JOIN box_state s ON s.device_id = d.id
        WHERE coalesce(d.region_code, '') LIKE $1 GROUP BY 1, 2) c
     LEFT JOIN regions r ON r.code = c.code ORDER BY c.code, c.state`,
    [region + '%', len],
  );
  const out = new Map<string, { code: string; name: string | null; counts: Record<BoxStateName, number>; total: number }>();
  for (const r of rows) {
    const e = out.get(r.code) ?? { code: r.code, name: r.name, counts: { online: 0, stale: 0, offline: 0, never_seen: 0, revoked: 0 }, total: 0 };
    e.counts[r.state] = r.n;
    e.total += r.n;
    out.set(r.code, e);
  }
  return [...out.values()];
}
