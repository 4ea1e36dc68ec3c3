/**
 * The boxes the hub knows. A box exists here once enrolled (provisioning/), with its secret only
 * as a scrypt hash; a revoked box is refused by the embedded broker and its messages are dropped.
 */
import { deviceCost, hashPassword, verifyPassword } from '../../appliance/password-hash.ts';
import { newDeviceId, newSecret } from './credentials.ts';
import { mosquittoPasswordHash } from './mosquitto-password.ts';
import { isDeviceId } from '../contract/index.ts';
import type { HubQueryable } from '../storage/db.ts';

export interface Device {
  id: string;
  facilityCode: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  lastStatus: Record<string, unknown> | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function enrolDevice(db: HubQueryable, o: { facilityCode: string; name?: string; deviceId?: string }): Promise<{ deviceId: string; secret: string }> {
  const deviceId = o.deviceId ?? newDeviceId(o.facilityCode);
  if (!isDeviceId(deviceId)) throw new Error(`device id ${deviceId} must be 3–63 lowercase letters, digits or '-'`);
  const secret = newSecret();
  const { rows } = await db.query(`INSERT INTO devices (id, secret_hash, facility_code, name, broker_hash) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (id) DO NOTHING RETURNING id`, [
    deviceId,
    await hashPassword(secret, deviceCost),
    o.facilityCode,
    o.name ?? '',
    mosquittoPasswordHash(secret),
  ]);
  if (!rows.length) throw new Error(`device ${deviceId} is already enrolled (revoke it and enrol a new id)`);
  return { deviceId, secret };
}

export async function revokeDevice(db: HubQueryable, deviceId: string): Promise<boolean> {
  const { rows } = await db.query(`UPDATE devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`, [deviceId]);
  return rows.length > 0;
}

/** True only for an enrolled, unrevoked box with the right secret. */
export async function authenticateDevice(db: HubQueryable, deviceId: string, secret: string): Promise<boolean> {
  if (!isDeviceId(deviceId)) return false;
  const { rows } = await db.query<{ secret_hash: string; revoked_at: unknown }>(`SELECT secret_hash, revoked_at FROM devices WHERE id = $1`, [deviceId]);
  if (!rows[0] || rows[0].revoked_at) return false;
  return verifyPassword(secret, rows[0].secret_hash);
}

export async function activeDevice(db: HubQueryable, deviceId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL`, [deviceId]);
  return rows.length > 0;
}

export async function listDevices(db: HubQueryable): Promise<Device[]> {
  const { rows } = await db.query<{
    id: string;
    facility_code: string;
    name: string;
    created_at: unknown;
    revoked_at: unknown;
    last_seen_at: unknown;
    last_status: Record<string, unknown> | null;
  }>(`SELECT id, facility_code, name, created_at, revoked_at, last_seen_at, last_status FROM devices ORDER BY facility_code, id`);
  return rows.map((r) => ({
    id: r.id,
    facilityCode: r.facility_code,
    name: r.name,
    createdAt: iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
    lastSeenAt: iso(r.last_seen_at),
    lastStatus: r.last_status,
  }));
}
