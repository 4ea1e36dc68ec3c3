/**
 * Operator accounts of the hub: a user name, a scrypt hash of the password (the one hash of box
 * and hub, appliance/password-hash.ts), a role and its region. Logins are throttled with the
 * box's throttle (appliance/http/login-throttle.ts, declared shared), counted before the hash runs.
 */
import { hashPassword, staffCost, verifyPassword } from '../../appliance/password-hash.ts';
import { LoginThrottle } from '../../appliance/http/login-throttle.ts';
import { z } from 'zod';
import type { HubQueryable } from '../storage/db.ts';
import { roleAndScope, type OperatorRole } from './scope.ts';

export const operatorUsername = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'expected 3–40 lowercase letters, digits, . _ -');
/** Long enough that a throttled guesser gets nowhere; no other rule (NIST SP 800-63B). */
export const operatorPassword = z.string().min(12, 'at least 12 characters').max(200);

export interface Operator {
  username: string;
  role: OperatorRole;
  scope: string;
  fullName: string;
}

export class OperatorError extends Error {
  constructor(
    readonly code: 'invalid' | 'exists',
    message: string,
  ) {
    super(message);
  }
}

export async function createOperator(db: HubQueryable, o: { username: string; password: string; role: OperatorRole; scope: string; fullName?: string }): Promise<Operator> {
  const u = operatorUsername.safeParse(o.username);
  if (!u.success) throw new OperatorError('invalid', `username: ${u.error.issues[0].message}`);
  const p = operatorPassword.safeParse(o.password);
  if (!p.success) throw new OperatorError('invalid', `password: ${p.error.issues[0].message}`);
  const rs = roleAndScope.safeParse({ role: o.role, scope: o.scope });
  if (!rs.success) throw new OperatorError('invalid', `role/scope: ${rs.error.issues[0].message}`);
  const { rows } = await db.query(
    `INSERT INTO operators (username, password_hash, role, scope, full_name) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (username) DO NOTHING RETURNING username`,
    [u.data, await hashPassword(p.data, staffCost), rs.data.role, rs.data.scope, (o.fullName ?? '').slice(0, 200)],
  );
  if (!rows.length) throw new OperatorError('exists', `operator ${u.data} exists already`);
  return { username: u.data, role: rs.data.role, scope: rs.data.scope, fullName: o.fullName ?? '' };
}

export async function countOperators(db: HubQueryable): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operators`)).rows[0].n;
}

export type LoginOutcome = { ok: true; operator: Operator } | { ok: false; why: 'wrong' } | { ok: false; why: 'throttled'; waitMs: number };

/** A hash of a password nobody has: an unknown user costs the same time as a known one. */
let dummyHash: Promise<string> | null = null;

export class OperatorLogin {
  readonly throttle: LoginThrottle;
  constructor(
    private readonly db: HubQueryable,
    now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(now);
  }

  async check(username: string, password: string, address: string): Promise<LoginOutcome> {
    // The account key is what was typed (bounded), so made-up names are throttled too.
    const account = username.slice(0, 60).toLowerCase();
    const attempt = this.throttle.begin(account, address);
    if (!('succeeded' in attempt)) return { ok: false, why: 'throttled', waitMs: attempt.wait };
    const { rows } = await this.db.query<{ username: string; password_hash: string; role: OperatorRole; scope: string; full_name: string }>(
      `SELECT username, password_hash, role, scope, full_name FROM operators WHERE username = $1 AND disabled_at IS NULL`,
      [account],
    );
    const row = rows[0];
    dummyHash ??= hashPassword('no operator has this password', staffCost);
    const right = await verifyPassword(password.slice(0, 200), row?.password_hash ?? (await dummyHash));
    if (!row || !right) return { ok: false, why: 'wrong' };
    attempt.succeeded();
    return { ok: true, operator: { username: row.username, role: row.role, scope: row.scope, fullName: row.full_name } };
  }
}
