/**
 * The fleet overview an operator opens first: for a region ('' the nation, 2 digits a province,
 * 4 a kabupaten/kota), the boxes by state in each child region (provinces, then districts), or
 * for a district its boxes one by one; the region's totals and how many alerts fire in it.
 * The caller passes a region already cut to the operator's (operators/region-filter.ts).
 */
import type { HubQueryable } from '../storage/db.ts';
import { BOX_STATES, countsByRegion, listBoxes, type BoxRow } from './box-list.ts';
import type { BoxStateName } from './fleet-state.ts';

export type StateCounts = Record<BoxStateName, number>;

export interface RegionCounts {
  code: string;
  name: string | null;
  counts: StateCounts;
  total: number;
}

export interface FleetOverview {
  region: string;
  name: string | null;
  /** The regions above this one, widest first (for the way back up). */
  parents: { code: string; name: string | null }[];
  totals: StateCounts;
  total: number;
  /** Child regions (a nation's provinces, a province's districts); empty for a district. */
  children: RegionCounts[];
  /** A district's boxes (at most MAX_BOXES; more are on /boxes); empty above a district. */
  boxes: BoxRow[];
  alertsFiring: number;
}

/** A district holds a few hundred boxes at most (Brebes: 131 facilities); more are paged on /boxes. */
export const MAX_BOXES = 500;

const zero = (): StateCounts => Object.fromEntries(BOX_STATES.map((s) => [s, 0])) as StateCounts;

export async function fleetOverview(db: HubQueryable, region: string): Promise<FleetOverview> {
  const children = await countsByRegion(db, region);
  const totals = zero();
  for (const c of children) for (const s of BOX_STATES) totals[s] += c.counts[s];
  const wider = [region.slice(0, 2), region].filter((r, i, all) => r.length > 0 && all.indexOf(r) === i);
  const { rows: names } = await db.query<{ code: string; name: string }>(`SELECT code, name FROM regions WHERE code = ANY($1::text[])`, [wider]);
  const nameOf = (code: string) => names.find((n) => n.code === code)?.name ?? null;
  const { rows: alerts } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE state = 'firing' AND coalesce(region_code, '') LIKE $1`, [`${region}%`]);
  const isDistrict = region.length === 4;
  return {
    region,
    name: nameOf(region),
    parents: wider.filter((r) => r !== region).map((code) => ({ code, name: nameOf(code) })),
    totals,
    total: children.reduce((a, c) => a + c.total, 0),
    children: isDistrict ? [] : children,
    boxes: isDistrict ? (await listBoxes(db, { region, limit: MAX_BOXES, sort: 'facility' })).boxes : [],
    alertsFiring: alerts[0].n,
  };
}
