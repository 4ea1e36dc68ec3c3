/**
 * An operator's region (SHARED-DECISIONS): '' the whole nation, 2 digits a province, 4 digits a
 * kabupaten/kota (BPS kode wilayah). A box is in scope when its devices.region_code starts with
 * the operator's scope; a box without a region is seen only nationally.
 */
import { z } from 'zod';

export type OperatorRole = 'national' | 'province' | 'district';

export const operatorRoles: readonly OperatorRole[] = ['national', 'province', 'district'];

/** The length of a scope per role: a national operator has none. */
export const scopeLength: Record<OperatorRole, number> = { national: 0, province: 2, district: 4 };

export const regionCode = z.string().regex(/^\d{2}(\d{2})?$/, 'expected a BPS region code: 2 digits (province) or 4 (kabupaten/kota)');

/** A role and its scope, consistent with each other. */
export const roleAndScope = z
  .object({ role: z.enum(['national', 'province', 'district']), scope: z.string().regex(/^(\d{2}){0,2}$/) })
  .refine((o) => o.scope.length === scopeLength[o.role], { message: 'national: no region; province: 2 digits; district: 4 digits', path: ['scope'] });

/** True when `region` (a box's, or a narrower scope) lies inside `scope`. */
export const inScope = (scope: string, region: string | null | undefined) => scope === '' || (region ?? '').startsWith(scope);

/**
 * SQL that keeps the rows of boxes in scope; `column` is a devices.region_code expression and
 * `param` the placeholder holding the scope. starts_with(NULL, …) is NULL: a box without a
 * region is out of any scope but the nation's.
 */
export const scopeSql = (column: string, param: string) => `(${param} = '' OR starts_with(${column}, ${param}))`;
