/**
 * The box list an operator searches: the boxes in its scope, filtered by text (id, name, facility
 * code), region (inside the scope), facility-code prefix and revoked or not; sorted by a whitelisted
 * column and paged. One query with the total beside the page (count(*) OVER ()).
 */
import { z } from 'zod';
import { regionCode, scopeSql } from '../operators/scope.ts';
import type { HubQueryable } from '../storage/db.ts';

export const boxSearchQuery = z.object({
  q: z
    .string()
    .trim()
    .max(60)
    .optional()
    .transform((v) => v || undefined),
  region: z
    .union([regionCode, z.literal('')])
    .optional()
    .transform((v) => v || undefined),
  facility: z
    .union([z.string().regex(/^[0-9A-Za-z]{1,20}$/), z.literal('')])
    .optional()
    .transform((v) => v || undefined),
  status: z.enum(['active', 'revoked', 'all']).default('active'),
  sort: z.enum(['facility', 'id', 'lastSeen', 'region']).default('facility'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per: z.coerce.number().int().min(10).max(200).default(50),
  lang: z.string().optional(),
});
export type BoxSearch = z.infer<typeof boxSearchQuery>;

export interface BoxListItem {
  id: string;
  facilityCode: string;
  name: string;
  regionCode: string | null;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

const orderBy: Record<BoxSearch['sort'], string> = {
  facility: 'facility_code, id',
  id: 'id',
  // Longest silent first: what an operator looks for.
  lastSeen: 'last_seen_at ASC NULLS FIRST, id',
  region: 'region_code NULLS LAST, facility_code, id',
};

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function searchBoxes(db: HubQueryable, scope: string, s: BoxSearch): Promise<{ total: number; boxes: BoxListItem[] }> {
  const { rows } = await db.query<{ id: string; facility_code: string; name: string; region_code: string | null; last_seen_at: unknown; revoked_at: unknown; total: number }>(
    `SELECT id, facility_code, name, region_code, last_seen_at, revoked_at, count(*) OVER ()::int AS total FROM devices
      WHERE ${scopeSql('region_code', '$1')}
        AND ($2::text IS NULL OR starts_with(region_code, $2))
        AND ($3::text IS NULL OR starts_with(facility_code, $3))
        AND ($4::text IS NULL OR strpos(lower(id || ' ' || name || ' ' || facility_code), lower($4)) > 0)
        AND ($5 = 'all' OR ($5 = 'active') = (revoked_at IS NULL))
      ORDER BY ${orderBy[s.sort]} LIMIT $6 OFFSET $7`,
    [scope, s.region ?? null, s.facility ?? null, s.q ?? null, s.status, s.per, (s.page - 1) * s.per],
  );
  return {
    total: rows[0]?.total ?? 0,
    boxes: rows.map((r) => ({ id: r.id, facilityCode: r.facility_code, name: r.name, regionCode: r.region_code, lastSeenAt: iso(r.last_seen_at), revokedAt: iso(r.revoked_at) })),
  };
}
