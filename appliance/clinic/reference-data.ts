/**
 * What the box holds of the district's reference data, for the admin page: a production box
 * starts with none (no hospitals, no medicines, no stock) and cannot refer or prescribe until the
 * centre's lists arrive and the pharmacist records the first stock receipt.
 */
import { appliedFormularyVersion } from './formulary-updates.ts';
import { appliedHospitalListVersion } from './hospital-list.ts';
import type { Queryable } from './db.ts';

export interface ReferenceDataStatus {
  hospitals: number;
  /** 0: no list from the centre yet. */
  hospitalListVersion: number;
  medicines: number;
  medicinesInStock: number;
  formularyVersion: number;
}

export async function referenceDataStatus(db: Queryable): Promise<ReferenceDataStatus> {
  const { rows } = await db.query<{ hospitals: number; medicines: number; in_stock: number }>(
    `SELECT (SELECT count(*)::int FROM hospitals) AS hospitals,
            (SELECT count(*)::int FROM formulary WHERE active) AS medicines,
            (SELECT count(*)::int FROM formulary WHERE active AND stock > 0) AS in_stock`,
  );
  return {
    hospitals: rows[0].hospitals,
    hospitalListVersion: await appliedHospitalListVersion(db),
    medicines: rows[0].medicines,
    medicinesInStock: rows[0].in_stock,
    formularyVersion: await appliedFormularyVersion(db),
  };
}
