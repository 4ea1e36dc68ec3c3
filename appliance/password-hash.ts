/**
 * The one password hash of box and hub: staff passwords on the box, device secrets at the hub.
 * Stored as `scrypt$N$r$p$salt$key`. New hashes write salt and key in base64url; hashes written
 * before this module (staff passwords in base64 with padding) still verify, because Node's base64
 * decoders read both alphabets, with or without padding.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** ~50 ms on a Pi 4: slow for guessing, quick enough for a login. */
export const staffCost: ScryptCost = { N: 1 << 15, r: 8, p: 1 };
/** ~40 ms here, paid once per MQTT connect (not per message); the secret is 24 random bytes anyway. */
export const deviceCost: ScryptCost = { N: 1 << 14, r: 8, p: 1 };

const keyLength = 32;
// Room for N=2^16 at r=8 (128·N·r bytes); a stored hash asking for more is refused, not run.
const maxmem = 64 * 1024 * 1024;

const scrypt = (secret: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(secret, salt, length, options, (e, key) => (e ? reject(e) : resolve(key))));

export async function hashPassword(secret: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, keyLength, { ...cost, maxmem });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** False for a wrong secret and for anything that is not a hash this module can check. */
export async function verifyPassword(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const want = Buffer.from(parts[5], 'base64url');
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || !Number.isInteger(p) || r < 1 || p < 1 || 128 * N * r * p > maxmem) return false;
  if (salt.length < 8 || want.length < 16) return false;
  const got = await scrypt(secret, salt, want.length, { N, r, p, maxmem });
  return timingSafeEqual(got, want);
}
