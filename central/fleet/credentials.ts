/**
 * Device credentials. A box's secret is shown once (written into its config) and stored at the
 * hub only as a scrypt hash: a leaked hub database does not let anyone speak as a box.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (pw: string, salt: Buffer, len: number, o: ScryptOptions) =>
  new Promise<Buffer>((res, rej) => scryptCb(pw, salt, len, o, (e, k) => (e ? rej(e) : res(k))));

// N=2^14, r=8: ~40 ms per check here, paid once per MQTT connect (not per message).
const N = 16384, R = 8, P = 1, LEN = 32;

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** e.g. `0112p001-7f3a9c`: the facility code (lowercased) and a random suffix. */
export function newDeviceId(facilityCode: string): string {
  return `${facilityCode.toLowerCase().replace(/[^a-z0-9]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64url');
  const got = await scrypt(secret, Buffer.from(salt, 'base64url'), want.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}
