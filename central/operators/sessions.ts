/**
 * Operator sessions: a random cookie value, kept at the hub only as its SHA-256 (a copy of the
 * database opens no session), with its own CSRF token that every write made with the session
 * must carry. Absolute lifetime: a working day; a logout or a disabled operator ends it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { HubQueryable } from '../storage/db.ts';
import type { Operator } from './accounts.ts';

export const SESSION_COOKIE = 'simpul_hub_session';
export const SESSION_TTL_MS = 12 * 3_600_000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface OperatorSession extends Operator {
  csrf: string;
}

export async function openSession(db: HubQueryable, username: string, now: Date): Promise<{ token: string; csrf: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await db.query(`DELETE FROM operator_sessions WHERE expires_at < $1`, [now.toISOString()]);
  await db.query(`INSERT INTO operator_sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`, [
    hashOf(token),
    username,
    csrf,
    now.toISOString(),
    new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
  ]);
  return { token, csrf };
}

export async function sessionOf(db: HubQueryable, token: string | undefined, now: Date): Promise<OperatorSession | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await db.query<{ username: string; role: Operator['role']; scope: string; full_name: string; csrf: string }>(
    `SELECT o.username, o.role, o.scope, o.full_name, s.csrf FROM operator_sessions s JOIN operators o USING (username)
      WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.disabled_at IS NULL`,
    [hashOf(token), now.toISOString()],
  );
  const r = rows[0];
  return r ? { username: r.username, role: r.role, scope: r.scope, fullName: r.full_name, csrf: r.csrf } : null;
}

export async function closeSession(db: HubQueryable, token: string | undefined): Promise<void> {
  if (token) await db.query(`DELETE FROM operator_sessions WHERE token_hash = $1`, [hashOf(token)]);
}
