/**
 * Device credentials. A box's secret is shown once (written into its config) and stored at the
 * hub only as a scrypt hash (appliance/password-hash.ts, deviceCost): a leaked hub database does
 * not let anyone speak as a box.
 */
import { randomBytes } from 'node:crypto';

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** e.g. `0112p001-7f3a9c`: the facility code (lowercased) and a random suffix. */
export function newDeviceId(facilityCode: string): string {
  return `${facilityCode.toLowerCase().replace(/[^a-z0-9]/g, '')}-${randomBytes(3).toString('hex')}`;
}
