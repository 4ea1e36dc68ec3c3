/**
 * Mosquitto ≥ 2.0's PBKDF2-SHA512 password hash, as `mosquitto_passwd` writes it:
 * `$7$<iterations>$<base64 12-byte salt>$<base64 64-byte hash>`. The hub stores one per box at
 * enrolment (devices.broker_hash), and provisioning/mosquitto.ts writes them into Mosquitto's
 * password file; it lives in the fleet so that the hub never imports the provisioning tools.
 * Why 101 iterations: see provisioning/mosquitto.ts.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const MOSQUITTO_PBKDF2_ITERATIONS = 101;

/** The `$7$…` hash Mosquitto 2.x checks a password against (as mosquitto_passwd -H sha512-pbkdf2). */
export function mosquittoPasswordHash(password: string, o: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = o.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  const salt = o.salt ?? randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Checks a password against a `$7$` hash (for tests and tooling; Mosquitto does its own). */
export function verifyMosquittoPasswordHash(password: string, stored: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const want = Buffer.from(m[3], 'base64');
  const got = pbkdf2Sync(password, Buffer.from(m[2], 'base64'), Number(m[1]), want.length, 'sha512');
  return got.length === want.length && timingSafeEqual(got, want);
}
