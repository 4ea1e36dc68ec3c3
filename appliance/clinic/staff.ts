import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from './db.ts';
import { ClinicError } from './errors.ts';
import type { Actor } from './audit.ts';
import { text } from './text.ts';
import { hashPassword, staffCost, verifyPassword } from '../password-hash.ts';

export const roles = ['doctor', 'nurse', 'pharmacist', 'admin'] as const;
export type Role = (typeof roles)[number];

export const staffInput = z
  .object({
    username: text().regex(/^[a-z][a-z0-9._-]{2,31}$/, 'lowercase letters, digits, . _ -; 3 to 32 characters'),
    fullName: text().trim().min(2).max(100),
    role: z.enum(roles),
    password: text().min(10, 'at least 10 characters').max(200),
  })
  .strict();
export type StaffInput = z.infer<typeof staffInput>;

export async function createStaff(db: Queryable, input: StaffInput): Promise<{ id: string }> {
  const exists = await db.query(`SELECT 1 FROM staff WHERE username = $1`, [input.username]);
  if (exists.rows.length) throw new ClinicError('conflict', 'username taken', { field: 'username' });
  const id = randomUUID();
  await db.query(`INSERT INTO staff (id, username, full_name, role, password_hash) VALUES ($1,$2,$3,$4,$5)`, [
    id, input.username, input.fullName, input.role, await hashPassword(input.password, staffCost),
  ]);
  return { id };
}

export async function countAdmins(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff WHERE role = 'admin' AND active`);
  return rows[0].n;
}

export async function listStaff(db: Queryable) {
  const { rows } = await db.query<{ id: string; username: string; fullName: string; role: Role; active: boolean }>(
    `SELECT id, username, full_name AS "fullName", role, active FROM staff ORDER BY role, username`,
  );
  return rows;
}

const sessionHours = 12;
const hashToken = (t: string) => createHash('sha256').update(t).digest('base64url');
// A fixed hash to compare against when the user does not exist, so timing does not tell.
let dummyHash: Promise<string> | null = null;

export interface Session {
  actor: Actor;
  csrfToken: string;
}

/** Checks a password; returns a new session token or null. */
export async function login(db: Queryable, username: string, password: string, device: string): Promise<{ token: string; session: Session } | null> {
  const { rows } = await db.query<{ id: string; role: Role; full_name: string; password_hash: string; active: boolean }>(
    `SELECT id, role, full_name, password_hash, active FROM staff WHERE username = $1`,
    [username],
  );
  const s = rows[0];
  if (!s || !s.active) {
    dummyHash ??= hashPassword('not-a-password', staffCost);
    await verifyPassword(password, await dummyHash);
    return null;
  }
  if (!(await verifyPassword(password, s.password_hash))) return null;
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO sessions (token_hash, staff_id, csrf_token, device, expires_at) VALUES ($1,$2,$3,$4, now() + make_interval(hours => $5))`,
    [hashToken(token), s.id, csrfToken, device, sessionHours],
  );
  return { token, session: { actor: { staffId: s.id, role: s.role, name: s.full_name, device }, csrfToken } };
}

export async function sessionOf(db: Queryable, token: string, device: string): Promise<Session | null> {
  const { rows } = await db.query<{ staff_id: string; role: Role; full_name: string; csrf_token: string }>(
    `SELECT s.staff_id, st.role, st.full_name, s.csrf_token FROM sessions s JOIN staff st ON st.id = s.staff_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND st.active`,
    [hashToken(token)],
  );
  const r = rows[0];
  if (!r) return null;
  return { actor: { staffId: r.staff_id, role: r.role, name: r.full_name, device }, csrfToken: r.csrf_token };
}

export async function logout(db: Queryable, token: string): Promise<void> {
  await db.query(`DELETE FROM sessions WHERE token_hash = $1`, [hashToken(token)]);
}
