/**
 * The one place an operator's region turns into what a request may see and do. The guard
 * (http/app.ts) derives a RegionFilter from the session (or the admin token: the nation) and
 * every route that lists or acts on boxes, alerts, jobs or history asks it, never the scope itself:
 * - a box outside the region is as if absent (`box()` → null, the route answers 404);
 * - a list asked for a region is cut to the part inside the caller's (`narrow()`; none: empty);
 * - an action aimed at a region outside the caller's is refused (`covers()` false → 403).
 */
import type { HubQueryable } from '../storage/db.ts';
import { inScope, scopeSql } from './scope.ts';

export class RegionFilter {
  /** '' the nation, 2 digits a province, 4 a kabupaten/kota. */
  constructor(readonly scope: string) {}

  /** True when a box of region `region` is the caller's (a box without a region: only the nation's). */
  contains(region: string | null | undefined): boolean {
    return inScope(this.scope, region);
  }

  /** True when `region` (a target of an action) lies wholly inside the caller's region. */
  covers(region: string): boolean {
    return region.startsWith(this.scope);
  }

  /**
   * The region to read when the caller asks for `wanted` ('' or absent: all it may see): the
   * narrower of the two, or null when they do not meet (the answer is then empty).
   */
  narrow(wanted = ''): string | null {
    if (wanted.startsWith(this.scope)) return wanted;
    if (this.scope.startsWith(wanted)) return this.scope;
    return null;
  }

  /** SQL keeping the rows whose devices.region_code expression `column` is in the region; `param` holds `this.scope`. */
  sql(column: string, param: string): string {
    return scopeSql(column, param);
  }

  /** The box when it exists and is the caller's; null otherwise (outside is as if absent). */
  async box(db: HubQueryable, deviceId: string): Promise<{ id: string; regionCode: string | null } | null> {
    const { rows } = await db.query<{ id: string; region_code: string | null }>(`SELECT id, region_code FROM devices WHERE id = $1 AND ${scopeSql('region_code', '$2')}`, [
      deviceId,
      this.scope,
    ]);
    return rows[0] ? { id: rows[0].id, regionCode: rows[0].region_code } : null;
  }
}
