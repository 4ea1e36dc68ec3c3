import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { ClinicError, notFound } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { text } from './text.ts';
import { hashPassword, staffCost, verifyPassword } from '../password-hash.ts';

/**
 * midwife (bidan): runs the KIA poli (antenatal care, family planning, immunisation, the young
 * child's checks, normal births) under her own licence (UU 4/2019 Kebidanan, Permenkes 28/2017).
 * On the box she works like a doctor for visits in the polis of `midwifePolis` (clinic/midwife.ts)
 * and like a nurse everywhere else.
 */
export const roles = ['doctor', 'nurse', 'pharmacist', 'admin', 'midwife'] as const;
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
    id,
    input.username,
    input.fullName,
    input.role,
    await hashPassword(input.password, staffCost),
  ]);
  return { id };
}

export async function countAdmins(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff WHERE role = 'admin' AND active`);
  return rows[0].n;
}

export async function listStaff(db: Queryable) {
  const { rows } = await db.query<{ id: string; username: string; fullName: string; role: Role; active: boolean; mustChangePassword: boolean }>(
    `SELECT id, username, full_name AS "fullName", role, active, must_change_password AS "mustChangePassword" FROM staff ORDER BY role, username`,
  );
  return rows;
}

async function staffRow(db: Queryable, id: string) {
  const { rows } = await db.query<{ id: string; username: string; full_name: string; role: Role; active: boolean }>(
    `SELECT id, username, full_name, role, active FROM staff WHERE id = $1`,
    [id],
  );
  if (!rows[0]) throw notFound('staff', id);
  return rows[0];
}

/**
 * Deactivates an account: it cannot log in, and its open sessions end at once (deleted in the
 * same transaction). Not one's own account, and not the last active admin (the box would have
 * no one to manage it). The account and its history stay.
 */
export async function deactivateStaff(db: Db, actor: Actor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const s = await staffRow(tx, id);
    if (id === actor.staffId) throw new ClinicError('invalid', 'you cannot deactivate your own account', { field: 'id', problem: 'own_account' });
    if (s.role === 'admin' && s.active && (await countAdmins(tx)) <= 1) {
      throw new ClinicError('invalid', 'the last active admin cannot be deactivated', { field: 'id', problem: 'last_admin' });
    }
    await tx.query(`UPDATE staff SET active = false, deactivated_at = now() WHERE id = $1`, [id]);
    await tx.query(`DELETE FROM sessions WHERE staff_id = $1`, [id]);
    await audit(tx, actor, 'deactivate', 'staff', id, null);
  });
}

export async function activateStaff(db: Db, actor: Actor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await staffRow(tx, id);
    await tx.query(`UPDATE staff SET active = true, deactivated_at = NULL WHERE id = $1`, [id]);
    await audit(tx, actor, 'activate', 'staff', id, null);
  });
}

/**
 * An admin sets a temporary password: the account's sessions end, and at the next login the
 * user must choose a new one (the API refuses everything else until then).
 */
export async function resetPassword(db: Db, actor: Actor, id: string, temporary: string): Promise<void> {
  const hash = await hashPassword(temporary, staffCost);
  await db.transaction(async (tx) => {
    await staffRow(tx, id);
    await tx.query(`UPDATE staff SET password_hash = $2, must_change_password = true WHERE id = $1`, [id, hash]);
    await tx.query(`DELETE FROM sessions WHERE staff_id = $1`, [id]);
    await audit(tx, actor, 'password_reset', 'staff', id, null);
  });
}

/** The user changes their own password (knowing the current one); other sessions of the account end. */
export async function changeOwnPassword(db: Db, actor: Actor, current: string, next: string, keepTokenHash: string | null): Promise<boolean> {
  const { rows } = await db.query<{ password_hash: string }>(`SELECT password_hash FROM staff WHERE id = $1 AND active`, [actor.staffId]);
  if (!rows[0] || !(await verifyPassword(current, rows[0].password_hash))) return false;
  const hash = await hashPassword(next, staffCost);
  await db.transaction(async (tx) => {
    await tx.query(`UPDATE staff SET password_hash = $2, must_change_password = false WHERE id = $1`, [actor.staffId, hash]);
    await tx.query(`DELETE FROM sessions WHERE staff_id = $1 AND token_hash IS DISTINCT FROM $2`, [actor.staffId, keepTokenHash]);
    await audit(tx, actor, 'password_change', 'staff', actor.staffId, null);
  });
  return true;
}

export const tokenHashOf = (token: string) => hashToken(token);

/** What an account's own details are, for checking a new password against its name. */
export async function staffIdentity(db: Queryable, id: string): Promise<{ username: string; fullName: string }> {
  const s = await staffRow(db, id);
  return { username: s.username, fullName: s.full_name };
}

const sessionHours = 12;
const hashToken = (t: string) => createHash('sha256').update(t).digest('base64url');
// A fixed hash to compare against when the user does not exist, so timing does not tell.
let dummyHash: Promise<string> | null = null;

export interface Session {
  actor: Actor;
  csrfToken: string;
  /** A temporary password set by an admin: only changing it (and logging out) is allowed. */
  mustChangePassword: boolean;
}

/** Checks a password; returns a new session token or null. */
export async function login(db: Queryable, username: string, password: string, device: string): Promise<{ token: string; session: Session } | null> {
  const { rows } = await db.query<{ id: string; role: Role; full_name: string; password_hash: string; active: boolean; must_change_password: boolean }>(
    `SELECT id, role, full_name, password_hash, active, must_change_password FROM staff WHERE username = $1`,
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
  await db.query(`INSERT INTO sessions (token_hash, staff_id, csrf_token, device, expires_at) VALUES ($1,$2,$3,$4, now() + make_interval(hours => $5))`, [
    hashToken(token),
    s.id,
    csrfToken,
    device,
    sessionHours,
  ]);
  return { token, session: { actor: { staffId: s.id, role: s.role, name: s.full_name, device }, csrfToken, mustChangePassword: s.must_change_password } };
}

export async function sessionOf(db: Queryable, token: string, device: string): Promise<Session | null> {
  const { rows } = await db.query<{ staff_id: string; role: Role; full_name: string; csrf_token: string; must_change_password: boolean }>(
    `SELECT s.staff_id, st.role, st.full_name, s.csrf_token, st.must_change_password FROM sessions s JOIN staff st ON st.id = s.staff_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND st.active`,
    [hashToken(token)],
  );
  const r = rows[0];
  if (!r) return null;
  return { actor: { staffId: r.staff_id, role: r.role, name: r.full_name, device }, csrfToken: r.csrf_token, mustChangePassword: r.must_change_password };
}

export async function logout(db: Queryable, token: string): Promise<void> {
  await db.query(`DELETE FROM sessions WHERE token_hash = $1`, [hashToken(token)]);
}
