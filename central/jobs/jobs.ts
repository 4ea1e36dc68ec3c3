/**
 * Remote jobs at the hub. An operator asks for an action (back up now, restart the relay, collect
 * diagnostics, change sync settings) for one box, a filter or a region, with an expiry; the hub
 * keeps the job, one job_run per box in the operator's scope, and one downlink item per box (the
 * durable downlink: sent at once if the box is online, else at its next hello). What a box
 * reports comes back as `job_result` records; a box's state is read from what is known:
 *   the box's last report (running / done / failed / expired) → else expired at the hub (the
 *   expiry passed before the box took the item) → else failed (the box refused the item) →
 *   else sent (the downlink went out) → else queued.
 * Expiry is decided with the hub's clock (`now`, injected): `expireDue` runs before each box's
 * downlink is sent and every minute, and an expired item is never sent again. The box checks
 * the expiry with its own clock as well.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEVICE_ID, jobAction, type JobAction } from '../contract/index.ts';
import { regionCode, scopeSql } from '../operators/scope.ts';
import type { HubDb, HubQueryable } from '../storage/db.ts';

export const jobStates = ['queued', 'sent', 'running', 'done', 'failed', 'expired'] as const;
export type JobState = (typeof jobStates)[number];

export const jobTarget = z.union([
  z.object({ device: z.string().regex(DEVICE_ID) }).strict(),
  z.object({ region: regionCode }).strict(),
  z
    .object({
      filter: z
        .object({
          region: regionCode.optional(),
          /** Facility codes starting with this. */
          facility: z
            .string()
            .regex(/^[0-9A-Za-z]{1,20}$/)
            .optional(),
          /** Part of the box's id or name. */
          text: z.string().min(1).max(60).optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type JobTarget = z.infer<typeof jobTarget>;

export const MAX_JOB_MINUTES = 30 * 24 * 60;
export const jobRequest = z
  .object({
    action: jobAction,
    target: jobTarget,
    expiresInMinutes: z
      .number()
      .int()
      .min(1)
      .max(MAX_JOB_MINUTES)
      .default(24 * 60),
  })
  .strict();
export type JobRequest = z.input<typeof jobRequest>;

export class JobError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'outside_region',
    message: string,
  ) {
    super(message);
  }
}

/** The one SQL reading of a box's state (see the header). */
const stateSql = `CASE WHEN es.payload IS NOT NULL THEN es.payload->>'state'
  WHEN r.expired_at IS NOT NULL THEN 'expired'
  WHEN d.outcome = 'rejected' THEN 'failed'
  WHEN d.sent_at IS NOT NULL THEN 'sent' ELSE 'queued' END`;
const runsFrom = `job_runs r JOIN devices dv ON dv.id = r.device_id JOIN downlink d ON d.id = r.downlink_id
  LEFT JOIN entity_state es ON es.device_id = r.device_id AND es.type = 'job_result' AND es.entity_id = r.job_id::text`;

/** What the target names, for the list and the audit log. */
export const describeTarget = (t: JobTarget) =>
  'device' in t
    ? `box ${t.device}`
    : 'region' in t
      ? `region ${t.region}`
      : `filter ${Object.entries(t.filter)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`;

/** The narrowest region that holds every box of the job (for who may read its audit entry). */
function jobRegion(scope: string, t: JobTarget, boxRegions: (string | null)[]): string {
  const wanted = 'region' in t ? t.region : 'filter' in t ? t.filter.region : undefined;
  if (wanted && wanted.startsWith(scope)) return wanted;
  if ('device' in t) return boxRegions[0] ?? scope;
  return scope;
}

/**
 * Makes a job for the boxes of `target` inside the operator's `scope` (never a revoked box, never
 * one outside the scope: those are as if they did not exist). None: `not_found`, nothing made.
 */
export async function createJob(
  db: HubDb,
  input: unknown,
  who: { actor: string; scope: string },
  now: Date,
): Promise<{ id: string; devices: string[]; region: string; target: string; action: JobAction; expiresAt: string }> {
  const req = jobRequest.safeParse(input);
  if (!req.success)
    throw new JobError(
      'invalid',
      req.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; '),
    );
  const { action, target, expiresInMinutes } = req.data;
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + expiresInMinutes * 60_000).toISOString();
  const f = 'filter' in target ? target.filter : {};
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; region_code: string | null }>(
      `SELECT id, region_code FROM devices
        WHERE revoked_at IS NULL AND ${scopeSql('region_code', '$1')}
          AND ($2::text IS NULL OR id = $2)
          AND ($3::text IS NULL OR starts_with(region_code, $3))
          AND ($4::text IS NULL OR starts_with(facility_code, $4))
          AND ($5::text IS NULL OR strpos(lower(id || ' ' || name), lower($5)) > 0)
        ORDER BY id LIMIT 50000`,
      [who.scope, 'device' in target ? target.device : null, 'region' in target ? target.region : (f.region ?? null), f.facility ?? null, f.text ?? null],
    );
    if (!rows.length) throw new JobError('not_found', `no box of yours matches ${describeTarget(target)}`);
    await tx.query(`INSERT INTO jobs (id, action, target, created_by, scope, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
      id,
      JSON.stringify(action),
      describeTarget(target),
      who.actor,
      who.scope,
      now.toISOString(),
      expiresAt,
    ]);
    const devices = rows.map((r) => r.id);
    // One statement for any number of boxes: a job to a province is thousands of rows.
    await tx.query(
      `WITH t AS (SELECT unnest($2::text[]) AS device_id, gen_random_uuid() AS dl),
            r AS (INSERT INTO job_runs (job_id, device_id, downlink_id) SELECT $1::uuid, device_id, dl FROM t RETURNING device_id, downlink_id)
       INSERT INTO downlink (id, device_id, kind, body)
       SELECT downlink_id, device_id, 'job', jsonb_build_object('id', downlink_id, 'kind', 'job', 'job', $5::text, 'expiresAt', $3::text, 'action', $4::jsonb) FROM r`,
      [id, devices, expiresAt, JSON.stringify(action), id],
    );
    return {
      id,
      devices,
      region: jobRegion(
        who.scope,
        target,
        rows.map((r) => r.region_code),
      ),
      target: describeTarget(target),
      action,
      expiresAt,
    };
  });
}

/**
 * Marks expired every box's share of a job whose expiry has passed and that the box has not
 * taken (its downlink item unacknowledged), and stops its downlink item (acknowledged as
 * 'expired': never sent again). Only `deviceId`'s when given. Returns how many.
 */
export async function expireDue(db: HubQueryable, now: Date, deviceId?: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `WITH due AS (
       SELECT r.job_id, r.device_id, r.downlink_id FROM job_runs r JOIN jobs j ON j.id = r.job_id JOIN downlink d ON d.id = r.downlink_id
        WHERE j.expires_at <= $1 AND r.expired_at IS NULL AND d.acked_at IS NULL AND ($2::text IS NULL OR r.device_id = $2)),
     e AS (UPDATE job_runs r SET expired_at = $1 FROM due WHERE r.job_id = due.job_id AND r.device_id = due.device_id RETURNING r.downlink_id)
     UPDATE downlink d SET acked_at = $1, outcome = 'expired', reason = 'the job expired before the box took it' FROM e WHERE d.id = e.downlink_id RETURNING d.id`,
    [now.toISOString(), deviceId ?? null],
  );
  return rows.length;
}

export interface JobSummary {
  id: string;
  action: JobAction;
  target: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  /** Boxes in the reader's scope, per state. */
  states: Partial<Record<JobState, number>>;
  boxes: number;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

/** The newest jobs that touch a box in `scope`, with their boxes' states counted (only boxes in scope). */
export async function listJobs(db: HubQueryable, scope: string, limit = 50): Promise<JobSummary[]> {
  const jobs = await db.query<{ id: string; action: JobAction; target: string; created_by: string; created_at: unknown; expires_at: unknown }>(
    `SELECT j.id, j.action, j.target, j.created_by, j.created_at, j.expires_at FROM jobs j
      WHERE EXISTS (SELECT 1 FROM job_runs r JOIN devices dv ON dv.id = r.device_id WHERE r.job_id = j.id AND ${scopeSql('dv.region_code', '$1')})
      ORDER BY j.created_at DESC, j.id LIMIT $2`,
    [scope, limit],
  );
  if (!jobs.rows.length) return [];
  const counts = await db.query<{ job_id: string; state: JobState; n: number }>(
    `SELECT r.job_id, ${stateSql} AS state, count(*)::int AS n FROM ${runsFrom}
      WHERE r.job_id = ANY($1::uuid[]) AND ${scopeSql('dv.region_code', '$2')} GROUP BY 1, 2`,
    [jobs.rows.map((j) => j.id), scope],
  );
  return jobs.rows.map((j) => {
    const states: Partial<Record<JobState, number>> = {};
    for (const c of counts.rows) if (c.job_id === j.id) states[c.state] = c.n;
    return {
      id: j.id,
      action: j.action,
      target: j.target,
      createdBy: j.created_by,
      createdAt: iso(j.created_at),
      expiresAt: iso(j.expires_at),
      states,
      boxes: Object.values(states).reduce((a, b) => a + b, 0),
    };
  });
}

export interface JobRun {
  deviceId: string;
  name: string;
  regionCode: string | null;
  state: JobState;
  result: Record<string, unknown> | null;
  error: string | null;
  updatedAt: string | null;
}

/** One job and each of its boxes in `scope` (null when no box of it is in scope: as if it did not exist). */
export async function jobDetail(db: HubQueryable, id: string, scope: string): Promise<(JobSummary & { runs: JobRun[] }) | null> {
  const { rows } = await db.query<{
    device_id: string;
    name: string;
    region_code: string | null;
    state: JobState;
    payload: { result?: Record<string, unknown>; error?: string } | null;
    reason: string | null;
    updated_at: unknown;
    sent_at: unknown;
  }>(
    `SELECT r.device_id, dv.name, dv.region_code, ${stateSql} AS state, es.payload, d.reason, es.updated_at, d.sent_at FROM ${runsFrom}
      WHERE r.job_id = $1 AND ${scopeSql('dv.region_code', '$2')} ORDER BY r.device_id LIMIT 5000`,
    [id, scope],
  );
  if (!rows.length) return null;
  const j = (
    await db.query<{ id: string; action: JobAction; target: string; created_by: string; created_at: unknown; expires_at: unknown }>(
      `SELECT id, action, target, created_by, created_at, expires_at FROM jobs WHERE id = $1`,
      [id],
    )
  ).rows[0];
  const runs: JobRun[] = rows.map((r) => ({
    deviceId: r.device_id,
    name: r.name,
    regionCode: r.region_code,
    state: r.state,
    result: r.payload?.result ?? null,
    error: r.payload?.error ?? (r.state === 'failed' ? r.reason : null),
    updatedAt: r.updated_at ? iso(r.updated_at) : r.sent_at ? iso(r.sent_at) : null,
  }));
  const states: Partial<Record<JobState, number>> = {};
  for (const r of runs) states[r.state] = (states[r.state] ?? 0) + 1;
  return { id: j.id, action: j.action, target: j.target, createdBy: j.created_by, createdAt: iso(j.created_at), expiresAt: iso(j.expires_at), states, boxes: runs.length, runs };
}

export interface BoxJob {
  id: string;
  action: JobAction;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  state: JobState;
  error: string | null;
}

/** The newest jobs of one box, with its state in each (the box detail page; the caller checks the box is the operator's). */
export async function jobsOfBox(db: HubQueryable, deviceId: string, limit = 20): Promise<BoxJob[]> {
  const { rows } = await db.query<{
    id: string;
    action: JobAction;
    created_by: string;
    created_at: unknown;
    expires_at: unknown;
    state: JobState;
    payload: { error?: string } | null;
    reason: string | null;
  }>(
    `SELECT j.id, j.action, j.created_by, j.created_at, j.expires_at, ${stateSql} AS state, es.payload, d.reason
       FROM ${runsFrom} JOIN jobs j ON j.id = r.job_id WHERE r.device_id = $1 ORDER BY j.created_at DESC, j.id LIMIT $2`,
    [deviceId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    state: r.state,
    error: r.payload?.error ?? (r.state === 'failed' ? r.reason : null),
  }));
}
