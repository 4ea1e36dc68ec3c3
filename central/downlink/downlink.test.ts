import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import { publishFormulary, publishHospitals } from './downlink.ts';

const formulary = [{ kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true }];
const hospitals = [{ code: '0000R001', name: 'RSUD Contoh', specialties: ['Anak'], acceptsEmergency: true }];

describe('reference lists published by the hub', () => {
  let db: HubDb;
  beforeAll(async () => {
    db = await openMemoryHubDatabase();
  });
  afterAll(() => db.close());

  it('numbers each publication once, also while no box is enrolled yet (the list waits for them)', async () => {
    expect((await publishFormulary(db, formulary)).version).toBe(1);
    expect((await publishFormulary(db, formulary)).version).toBe(2);
    await db.query(`INSERT INTO devices (id, secret_hash, facility_code) VALUES ('box-1','x','0112P001')`);
    expect(await publishFormulary(db, formulary)).toEqual({ version: 3, devices: ['box-1'] });
    expect((await publishHospitals(db, hospitals)).version).toBe(1);
  });
});
