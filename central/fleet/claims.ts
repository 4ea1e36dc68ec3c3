/**
 * Claim codes: how a box proves, once, that a district operator meant it to join the fleet as a
 * given facility. A code is 80 random bits written as 16 letters and digits in groups of four
 * (no 0/O, 1/I/L: read off paper or a QR code), bound to one facility code, usable once, and
 * expiring. The hub keeps only its SHA-256 hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { HubQueryable } from '../storage/db.ts';

/** Crockford's base-32 alphabet: no I, L, O, U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CLAIM_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;
export const FACILITY_CODE = /^[0-9A-Z]{8}$/;

export function newClaimCode(): string {
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let s = '';
  for (let i = 0; i < 16; i++) (s = ALPHABET[Number(bits & 31n)] + s), (bits >>= 5n);
  return s.match(/.{4}/g)!.join('-');
}

/** What a person typed, as the code: upper case, O→0, I/L→1, spaces and dashes regrouped. */
export function normaliseClaimCode(typed: string): string {
  const s = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return s.length === 16 ? s.match(/.{4}/g)!.join('-') : s;
}

export const claimHash = (code: string) => createHash('sha256').update(normaliseClaimCode(code)).digest('hex');

export async function createClaim(db: HubQueryable, o: { facilityCode: string; validForMs: number; now: Date }): Promise<{ code: string; expiresAt: Date }> {
  if (!FACILITY_CODE.test(o.facilityCode)) throw new Error(`facility code ${o.facilityCode}: expected 8 characters, e.g. 0112P001`);
  const code = newClaimCode();
  const expiresAt = new Date(o.now.getTime() + o.validForMs);
  await db.query(`INSERT INTO claims (code_hash, facility_code, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
    claimHash(code),
    o.facilityCode,
    o.now.toISOString(),
    expiresAt.toISOString(),
  ]);
  return { code, expiresAt };
}

/** Why a claim is refused: each has its own words for the technician. */
export type ClaimRefusal = 'claim_unknown' | 'claim_used' | 'claim_expired' | 'claim_wrong_facility';

/**
 * Marks the claim used by `deviceId` when it is unused, unexpired and for this facility; else says
 * why not. Run it inside the transaction that enrols the box: the row lock makes it single use.
 */
export async function useClaim(tx: HubQueryable, o: { code: string; facilityCode: string; deviceId: string; now: Date }): Promise<ClaimRefusal | null> {
  const { rows } = await tx.query<{ facility_code: string; expires_at: unknown; used_at: unknown }>(
    `SELECT facility_code, expires_at, used_at FROM claims WHERE code_hash = $1 FOR UPDATE`,
    [claimHash(o.code)],
  );
  const c = rows[0];
  if (!c) return 'claim_unknown';
  if (c.used_at) return 'claim_used';
  if (new Date(c.expires_at as string).getTime() <= o.now.getTime()) return 'claim_expired';
  if (c.facility_code !== o.facilityCode) return 'claim_wrong_facility';
  await tx.query(`UPDATE claims SET used_at = $2, device_id = $3 WHERE code_hash = $1`, [claimHash(o.code), o.now.toISOString(), o.deviceId]);
  return null;
}
