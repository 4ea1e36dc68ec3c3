import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { applyHospitalList, appliedHospitalListVersion } from './hospital-list.ts';
import { listHospitals } from './hospitals.ts';
import { referenceDataStatus } from './reference-data.ts';
import { clinicError } from './testing.ts';

const rsud = { code: '0112R001', name: 'RSUD Kabupaten', specialties: ['Penyakit Dalam', 'Anak'], acceptsEmergency: true };
const rsia = { code: '0112R009', name: 'RSIA Bunda', specialties: ['Obstetri dan Ginekologi'], acceptsEmergency: false };

describe('the district hospital list on a production box', () => {
  let db: GroupCommitDb;
  beforeEach(async () => {
    db = new GroupCommitDb(await openMemoryDatabase());
  });
  afterEach(() => db.close());

  it('starts empty, is applied once per version, replaces the list whole and refuses an older version', async () => {
    expect(await listHospitals(db)).toEqual([]);
    expect(await referenceDataStatus(db)).toEqual({ hospitals: 0, hospitalListVersion: 0, medicines: 0, medicinesInStock: 0, formularyVersion: 0 });

    expect(await applyHospitalList(db, 1, [rsud, rsia])).toEqual({ version: 1, hospitals: 2, repeated: false });
    expect(await listHospitals(db)).toEqual([rsia, rsud]); // by name
    expect(await applyHospitalList(db, 1, [rsud])).toEqual({ version: 1, hospitals: 0, repeated: true });
    expect(await listHospitals(db)).toHaveLength(2);

    // Version 3: RSIA leaves the list, RSUD stops taking emergencies.
    await applyHospitalList(db, 3, [{ ...rsud, acceptsEmergency: false }]);
    expect(await listHospitals(db)).toEqual([{ ...rsud, acceptsEmergency: false }]);
    const late = await clinicError(applyHospitalList(db, 2, [rsud, rsia]));
    expect(late.code).toBe('conflict');
    expect(await listHospitals(db)).toEqual([{ ...rsud, acceptsEmergency: false }]);
    expect(await appliedHospitalListVersion(db)).toBe(3);
  });
});
