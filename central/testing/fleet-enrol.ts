/**
 * Enrols a simulated fleet in one statement per 1,000 boxes: each box its own id and secret, the
 * Mosquitto hash of it (PBKDF2-SHA512, 101 iterations, as enrolDevice stores), and a region.
 * `scrypt: false` (the benchmark's 22,400 boxes on Mosquitto, which checks only the broker hash)
 * leaves the scrypt hash out ('!' never verifies): ~50 ms each, it would be 19 minutes of a core.
 */
import { randomBytes } from 'node:crypto';
import { deviceCost, hashPassword } from '../../appliance/password-hash.ts';
import { newSecret } from '../fleet/credentials.ts';
import { mosquittoPasswordHash } from '../fleet/mosquitto-password.ts';
import type { HubQueryable } from '../storage/db.ts';

export interface EnrolledSimBox {
  deviceId: string;
  secret: string;
  brokerHash: string;
  regionCode: string;
  facilityCode: string;
}

/** `districts`: 4-digit BPS codes, boxes spread over them in turn. */
export async function enrolSimulatedFleet(db: HubQueryable, o: { n: number; districts: string[]; prefix?: string; scrypt?: boolean }): Promise<EnrolledSimBox[]> {
  const prefix = o.prefix ?? `sim${randomBytes(2).toString('hex')}`;
  const out: EnrolledSimBox[] = [];
  for (let i = 0; i < o.n; i++) {
    const regionCode = o.districts[i % o.districts.length];
    const secret = newSecret();
    out.push({
      deviceId: `${prefix}-${regionCode}-${i}`,
      secret,
      brokerHash: mosquittoPasswordHash(secret),
      regionCode,
      facilityCode: `P${regionCode}${String(i).padStart(6, '0')}`,
    });
  }
  for (let i = 0; i < out.length; i += 1000) {
    const chunk = out.slice(i, i + 1000);
    const rows = await Promise.all(
      chunk.map(async (b) => ({ id: b.deviceId, f: b.facilityCode, r: b.regionCode, bh: b.brokerHash, sh: o.scrypt === false ? '!' : await hashPassword(b.secret, deviceCost) })),
    );
    await db.query(
      `INSERT INTO devices (id, secret_hash, facility_code, name, broker_hash, region_code)
       SELECT id, sh, f, 'Puskesmas ' || f, bh, r FROM jsonb_to_recordset($1::jsonb) AS x(id text, sh text, f text, bh text, r text)`,
      [JSON.stringify(rows)],
    );
  }
  return out;
}
