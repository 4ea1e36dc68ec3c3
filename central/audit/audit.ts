/**
 * The audit log of operator actions: who (operator, or `admin-token`, or `cli:<user>`), with which
 * role, from where (the request's address), what, on what, in which region, and the result.
 * Never a secret (no password, token or cookie) and never a patient's data: `detail` holds only
 * what the caller chose (a job's action, the number of boxes).
 */
import { userInfo } from 'node:os';
import type { HubQueryable } from '../storage/db.ts';
import { scopeSql } from '../operators/scope.ts';

export type AuditAction =
  | 'login'
  | 'logout'
  | 'job_create'
  | 'referral_answer'
  | 'formulary_publish'
  | 'hospitals_publish'
  | 'operator_create'
  | 'operator_disable'
  | 'device_enrol'
  | 'device_revoke'
  | 'alert_silence'
  | 'alert_rule_change'
  // releases and rollouts (issue 15)
  | 'release_register'
  | 'rollout_create'
  | 'rollout_halt'
  | 'rollout_resume';
export type AuditResult = 'ok' | 'failed' | 'refused' | 'throttled';

export interface AuditEntry {
  actor: string;
  role: string;
  address: string;
  action: AuditAction;
  target?: string;
  /** The region the target lies in (a box's region, a job's scope): who may read the entry. */
  region?: string | null;
  result: AuditResult;
  detail?: Record<string, string | number | boolean | null>;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'detail' | 'region'>> {
  seq: number;
  at: string;
  region: string;
  detail: Record<string, unknown> | null;
}

export async function recordAudit(db: HubQueryable, e: AuditEntry, now: Date = new Date()): Promise<void> {
  await db.query(`INSERT INTO audit_log (at, actor, role, address, action, target, region, result, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, [
    now.toISOString(),
    e.actor.slice(0, 80),
    e.role,
    e.address.slice(0, 80),
    e.action,
    (e.target ?? '').slice(0, 200),
    e.region ?? '',
    e.result,
    e.detail ? JSON.stringify(e.detail) : null,
  ]);
}

/**
 * Entries an operator of `scope` may read, newest first: those about its region or inside it.
 * A national entry (region '') is read only nationally; a province operator reads its province's
 * and its districts'.
 */
export async function listAudit(db: HubQueryable, scope: string, o: { limit: number; before?: number; action?: string }): Promise<AuditRow[]> {
  const { rows } = await db.query<{
    seq: string;
    at: unknown;
    actor: string;
    role: string;
    address: string;
    action: AuditAction;
    target: string;
    region: string;
    result: AuditResult;
    detail: Record<string, unknown> | null;
  }>(
    `SELECT seq, at, actor, role, address, action, target, region, result, detail FROM audit_log
      WHERE ${scopeSql('region', '$1')} AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR action = $3)
      ORDER BY seq DESC LIMIT $4`,
    [scope, o.before ?? null, o.action ?? null, o.limit],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: new Date(r.at as string).toISOString() }));
}

/** Who acts from the shell (the CLIs): the machine's user, e.g. `cli:root`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
