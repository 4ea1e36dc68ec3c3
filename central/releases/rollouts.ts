/**
 * Rollouts: a release to the fleet by waves. A rollout names a registered release, a list of
 * waves (each a filter: region prefix, tags, explicit box ids, a percentage) and a failure
 * threshold. `advanceRollouts` (the hub runs it every 30 s, and tests with their own clock) moves
 * each running rollout along:
 *
 *   1. count each assigned box from what it last reported (devices.last_status, status v2):
 *      updated — it runs the version (`sw`) or its last update committed it (`update`);
 *      failed  — its last update of that version was rolled back; pending otherwise;
 *   2. past the threshold (more failures than `maxFailures`, or than `maxFailurePercent` of the
 *      boxes assigned so far; failures an operator accepted at a resume do not count) the rollout
 *      halts by itself and says why, naming the boxes;
 *   3. the current wave's boxes get their assignment (a `release` downlink item: version, url,
 *      sha256, bytes, and an assignment number that only grows, so a box refuses an older one);
 *   4. when none of the current wave's boxes is pending, the next wave starts; after the last the
 *      rollout is done.
 *
 * A wave's percentage is of the boxes its filter matches, counted with the boxes earlier waves
 * already took (waves of 10 %, 50 %, 100 % reach a tenth, half, then all). A revoked box is never
 * assigned. Halting (by hand or past the threshold) stops new waves and withdraws every assignment
 * a box has not acted on yet (`withdrawPending`): an item still queued is cancelled, a box that
 * received one gets a `release_withdrawal` (it removes its assignment file), and the release route
 * refuses those downloads. A resume assigns the withdrawn boxes afresh (new number, key and item).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DEVICE_ID, type DownlinkItem } from '../contract/index.ts';
import { inScope, regionCode } from '../operators/scope.ts';
import type { HubDb, HubQueryable } from '../storage/db.ts';
import { getRelease, releaseVersion } from './releases.ts';

const tag = z.string().regex(/^[0-9A-Za-z._:-]{1,40}$/, 'a tag: letters, digits, . _ : - (up to 40)');

export const waveFilter = z
  .object({
    region: regionCode.optional(),
    /** Every one of these tags (devices.tags). */
    tags: z.array(tag).min(1).max(20).optional(),
    devices: z.array(z.string().regex(DEVICE_ID)).min(1).max(10_000).optional(),
    /** Of the boxes the rest of the filter matches (the whole fleet without one), counted with earlier waves. */
    percent: z.number().gt(0).max(100).optional(),
  })
  .strict();
export type WaveFilter = z.infer<typeof waveFilter>;

export const rolloutRequest = z
  .object({
    version: releaseVersion,
    waves: z.array(waveFilter).min(1).max(50),
    /** Failed boxes tolerated; one more halts the rollout. Default 0: the first rollback halts it. */
    maxFailures: z.number().int().min(0).max(100_000).default(0),
    /** Failed boxes tolerated as a share of the boxes assigned so far, in percent. */
    maxFailurePercent: z.number().min(0).max(100).optional(),
  })
  .strict();
export type RolloutRequest = z.input<typeof rolloutRequest>;

export type RolloutState = 'running' | 'halted' | 'done';

export class RolloutError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const issuesOf = (e: z.ZodError) =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
    .join('; ');

/** Makes a rollout (running, wave 0, nothing assigned yet: the next `advanceRollouts` assigns). */
export async function createRollout(db: HubQueryable, input: unknown, who: string, now: Date): Promise<{ id: string }> {
  const req = rolloutRequest.safeParse(input);
  if (!req.success) throw new RolloutError('invalid', issuesOf(req.error));
  if (!(await getRelease(db, req.data.version)))
    throw new RolloutError(
      'not_found',
      `release ${req.data.version} is not registered: register it first (central/cli.ts release register <bundle> --version ${req.data.version})`,
    );
  const id = randomUUID();
  await db.query(
    `INSERT INTO rollouts (id, version, waves, max_failures, max_failure_percent, state, created_by, created_at, changed_at) VALUES ($1,$2,$3,$4,$5,'running',$6,$7,$7)`,
    [id, req.data.version, JSON.stringify(req.data.waves), req.data.maxFailures, req.data.maxFailurePercent ?? null, who, now.toISOString()],
  );
  return { id };
}

export interface WaveProgress {
  wave: number;
  filter: WaveFilter;
  /** Whether this wave's boxes were assigned yet. */
  started: boolean;
  assigned: number;
  updated: number;
  failed: number;
  pending: number;
  /** Of the pending, those whose assignment a halt withdrew (a resume assigns them afresh). */
  withdrawn: number;
}

export interface RolloutProgress {
  id: string;
  version: string;
  state: RolloutState;
  /** The wave being rolled out (0-based). */
  wave: number;
  haltReason: string | null;
  maxFailures: number;
  maxFailurePercent: number | null;
  acceptedFailures: number;
  createdBy: string;
  createdAt: string;
  waves: WaveProgress[];
  /** Boxes whose update of this version was rolled back. */
  failedBoxes: string[];
}

interface RolloutRow {
  id: string;
  version: string;
  waves: WaveFilter[];
  max_failures: number;
  max_failure_percent: number | null;
  state: RolloutState;
  wave: number;
  assigned_wave: number;
  accepted_failures: number;
  halt_reason: string | null;
  created_by: string;
  created_at: unknown;
}

/** Each assigned box with what it last reported: updated, failed or pending (the header's rules). */
async function assignedBoxes(db: HubQueryable, rolloutId: string, version: string) {
  const { rows } = await db.query<{
    device_id: string;
    wave: number;
    result: 'updated' | 'failed' | 'pending';
    withdrawn: boolean;
    downlink_id: string;
    assignment: string;
    region_code: string | null;
  }>(
    `SELECT a.device_id, a.wave, d.region_code, a.withdrawn_at IS NOT NULL AS withdrawn, a.downlink_id, a.assignment,
            CASE WHEN d.last_status->>'sw' = $2
                   OR (d.last_status#>>'{update,outcome}' = 'committed' AND d.last_status#>>'{update,version}' = $2) THEN 'updated'
                 WHEN d.last_status#>>'{update,outcome}' = 'rolled-back' AND d.last_status#>>'{update,version}' = $2 THEN 'failed'
                 ELSE 'pending' END AS result
       FROM rollout_assignments a JOIN devices d ON d.id = a.device_id
      WHERE a.rollout_id = $1 ORDER BY a.wave, a.device_id`,
    [rolloutId, version],
  );
  return rows;
}

function progressOf(r: RolloutRow, boxes: Awaited<ReturnType<typeof assignedBoxes>>): RolloutProgress {
  const waves = r.waves.map((filter, wave) => {
    const mine = boxes.filter((b) => b.wave === wave);
    const n = (x: string) => mine.filter((b) => b.result === x).length;
    return {
      wave,
      filter,
      started: wave <= r.assigned_wave,
      assigned: mine.length,
      updated: n('updated'),
      failed: n('failed'),
      pending: n('pending'),
      withdrawn: mine.filter((b) => b.result === 'pending' && b.withdrawn).length,
    };
  });
  return {
    id: r.id,
    version: r.version,
    state: r.state,
    wave: r.wave,
    haltReason: r.halt_reason,
    maxFailures: r.max_failures,
    maxFailurePercent: r.max_failure_percent,
    acceptedFailures: r.accepted_failures,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at as string).toISOString(),
    waves,
    failedBoxes: boxes.filter((b) => b.result === 'failed').map((b) => b.device_id),
  };
}

async function rolloutRow(db: HubQueryable, id: string, lock = false): Promise<RolloutRow | null> {
  const { rows } = await db.query<RolloutRow>(`SELECT * FROM rollouts WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

/**
 * A rollout's progress; seen from a region (`scope`, an operator's: '' the nation), its counts and
 * failed boxes are of that region's boxes only, and the halt reason (which names boxes of any
 * region) is left out.
 */
export async function rolloutProgress(db: HubQueryable, id: string, scope = ''): Promise<RolloutProgress> {
  if (!z.uuid().safeParse(id).success) throw new RolloutError('invalid', `${id} is not a rollout id (a UUID: see central/cli.ts rollout list)`);
  const r = await rolloutRow(db, id);
  if (!r) throw new RolloutError('not_found', `no rollout ${id} (see central/cli.ts rollout list)`);
  const boxes = await assignedBoxes(db, r.id, r.version);
  if (scope === '') return progressOf(r, boxes);
  return {
    ...progressOf(
      r,
      boxes.filter((b) => inScope(scope, b.region_code)),
    ),
    haltReason: null,
  };
}

/** True when a rollout reaches a region's boxes: it assigned one already, or a wave's filter may reach them. */
export function touchesRegion(p: RolloutProgress, scope: string): boolean {
  if (scope === '' || p.waves.some((w) => w.assigned > 0)) return true;
  return p.waves.some((w) => !w.filter.devices && (!w.filter.region || w.filter.region.startsWith(scope) || scope.startsWith(w.filter.region)));
}

/** The newest rollouts, as `rolloutProgress` sees them from `scope`; a region sees only those touching it. */
export async function listRollouts(db: HubQueryable, scope = ''): Promise<RolloutProgress[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM rollouts ORDER BY created_at DESC, id LIMIT 100`);
  const all = await Promise.all(rows.map((r) => rolloutProgress(db, r.id, scope)));
  return all.filter((p) => touchesRegion(p, scope));
}

/** Why the failures so far pass the threshold, or null. */
function pastThreshold(p: RolloutProgress): string | null {
  const failed = p.failedBoxes.length - p.acceptedFailures;
  const assigned = p.waves.reduce((n, w) => n + w.assigned, 0);
  const named = p.failedBoxes.slice(0, 10).join(', ') + (p.failedBoxes.length > 10 ? ', …' : '');
  if (failed > p.maxFailures) return `${failed} box(es) rolled ${p.version} back, more than the ${p.maxFailures} allowed: ${named}`;
  if (p.maxFailurePercent !== null && assigned > 0 && (failed * 100) / assigned > p.maxFailurePercent)
    return `${failed} of ${assigned} boxes (${Math.round((failed * 1000) / assigned) / 10}%) rolled ${p.version} back, more than ${p.maxFailurePercent}%: ${named}`;
  return null;
}

/** The boxes a wave takes now: its filter's matches not yet in the rollout, cut to its percentage. */
async function waveBoxes(tx: HubQueryable, r: RolloutRow, filter: WaveFilter): Promise<string[]> {
  const { rows } = await tx.query<{ id: string; taken: boolean }>(
    `SELECT d.id, EXISTS (SELECT 1 FROM rollout_assignments a WHERE a.rollout_id = $1 AND a.device_id = d.id) AS taken
       FROM devices d
      WHERE d.revoked_at IS NULL
        AND ($2::text IS NULL OR starts_with(d.region_code, $2))
        AND ($3::text[] IS NULL OR d.tags @> $3::text[])
        AND ($4::text[] IS NULL OR d.id = ANY($4::text[]))
      ORDER BY md5(d.id || $1::text), d.id`,
    [r.id, filter.region ?? null, filter.tags ?? null, filter.devices ?? null],
  );
  // An order that is the same at every run but spreads a wave over districts and facilities
  // (md5 of id and rollout), not the first boxes of the alphabet every time.
  const want = filter.percent === undefined ? rows.length : Math.ceil((rows.length * filter.percent) / 100);
  const already = rows.filter((x) => x.taken).length;
  return rows
    .filter((x) => !x.taken)
    .slice(0, Math.max(0, want - already))
    .map((x) => x.id);
}

/** The assignment items for a wave's boxes, each numbered by the hub's one growing sequence. */
async function assign(tx: HubQueryable, r: RolloutRow, wave: number, devices: string[], url: string, now: Date) {
  const release = await getRelease(tx, r.version);
  if (!release) throw new RolloutError('not_found', `release ${r.version} is no longer registered`);
  for (const deviceId of devices) {
    const downlinkId = randomUUID();
    const downloadKey = randomBytes(32).toString('base64url');
    // A box a halt withdrew keeps its row and wave, with a new number, key and item.
    const { rows } = await tx.query<{ assignment: string | number }>(
      `INSERT INTO rollout_assignments (rollout_id, wave, device_id, downlink_id, assigned_at, download_key_hash) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (rollout_id, device_id) DO UPDATE
         SET assignment = nextval(pg_get_serial_sequence('rollout_assignments', 'assignment')), downlink_id = EXCLUDED.downlink_id,
             assigned_at = EXCLUDED.assigned_at, download_key_hash = EXCLUDED.download_key_hash, withdrawn_at = NULL
       RETURNING assignment`,
      [r.id, wave, deviceId, downlinkId, now.toISOString(), downloadKeyHash(downloadKey)],
    );
    const item: DownlinkItem = {
      id: downlinkId,
      kind: 'release',
      assignment: Number(rows[0].assignment),
      rollout: r.id,
      version: release.version,
      url,
      sha256: release.sha256,
      bytes: release.bytes,
      downloadKey,
    };
    await tx.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,$3,$4)`, [downlinkId, deviceId, item.kind, JSON.stringify(item)]);
  }
}

/**
 * Takes back every assignment of the rollout whose box has not acted on it (neither updated nor
 * rolled back): its item, if still unacknowledged, is acknowledged as 'expired' (never sent
 * again); a box that was sent the item (it may hold the assignment) gets a `release_withdrawal`
 * numbered above it. Returns those boxes (the hub sends them the withdrawal at once).
 */
async function withdrawPending(tx: HubQueryable, r: { id: string; version: string }, now: Date): Promise<string[]> {
  const at = now.toISOString();
  const told: string[] = [];
  for (const b of await assignedBoxes(tx, r.id, r.version)) {
    if (b.result !== 'pending' || b.withdrawn) continue;
    await tx.query(`UPDATE rollout_assignments SET withdrawn_at = $3 WHERE rollout_id = $1 AND device_id = $2`, [r.id, b.device_id, at]);
    const { rows } = await tx.query<{ sent: boolean; outcome: string | null }>(`SELECT send_count > 0 OR sent_at IS NOT NULL AS sent, outcome FROM downlink WHERE id = $1`, [
      b.downlink_id,
    ]);
    await tx.query(`UPDATE downlink SET acked_at = $2, outcome = 'expired', reason = 'the rollout was halted before the box took it' WHERE id = $1 AND acked_at IS NULL`, [
      b.downlink_id,
      at,
    ]);
    // Never sent, or refused by the box (it holds a newer one): it holds nothing of this rollout to take back.
    if (!rows[0]?.sent || rows[0].outcome === 'rejected') continue;
    const { rows: n } = await tx.query<{ n: string }>(`SELECT nextval(pg_get_serial_sequence('rollout_assignments', 'assignment')) AS n`);
    const item: DownlinkItem = { id: randomUUID(), kind: 'release_withdrawal', assignment: Number(n[0].n), withdraws: Number(b.assignment), rollout: r.id, version: r.version };
    await tx.query(`INSERT INTO downlink (id, device_id, kind, body) VALUES ($1,$2,$3,$4)`, [item.id, b.device_id, item.kind, JSON.stringify(item)]);
    told.push(b.device_id);
  }
  return told;
}

/** How the hub finds a download key's box: by its sha256 (the assignment row never holds the key). */
export const downloadKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/** The unrevoked box a download key was given to, or null. */
export async function boxOfDownloadKey(db: HubQueryable, key: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return null;
  const { rows } = await db.query<{ device_id: string }>(
    `SELECT a.device_id FROM rollout_assignments a JOIN devices d ON d.id = a.device_id WHERE a.download_key_hash = $1 AND d.revoked_at IS NULL`,
    [downloadKeyHash(key)],
  );
  return rows[0]?.device_id ?? null;
}

/** Where a box downloads a release from: the hub's release route under the address boxes reach it by. */
export const releaseUrl = (baseUrl: string, version: string) => new URL(`/releases/${encodeURIComponent(version)}/bundle`, baseUrl).toString();

/**
 * One step of every running rollout (see the header). Returns the boxes that got an assignment
 * (for the hub to send at once) and the rollouts that halted or finished now.
 */
export async function advanceRollouts(
  db: HubDb,
  o: { now: Date; baseUrl: string },
): Promise<{ assigned: string[]; withdrawn: string[]; halted: { id: string; reason: string }[]; done: string[] }> {
  const out = { assigned: [] as string[], withdrawn: [] as string[], halted: [] as { id: string; reason: string }[], done: [] as string[] };
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM rollouts WHERE state = 'running' ORDER BY created_at`);
  for (const { id } of rows) {
    await db.transaction(async (tx) => {
      // One hub process at a time moves a rollout (several share the database).
      await tx.query(`SELECT pg_advisory_xact_lock(7345015)`);
      const r = await rolloutRow(tx, id, true);
      if (!r || r.state !== 'running') return;
      let reassigned = false;
      for (;;) {
        const p = progressOf(r, await assignedBoxes(tx, r.id, r.version));
        const why = pastThreshold(p);
        if (why) {
          await tx.query(`UPDATE rollouts SET state = 'halted', halt_reason = $2, changed_at = $3 WHERE id = $1`, [r.id, why, o.now.toISOString()]);
          out.halted.push({ id: r.id, reason: why });
          out.withdrawn.push(...(await withdrawPending(tx, r, o.now)));
          return;
        }
        if (!reassigned) {
          // Resumed after a halt: the boxes it withdrew from get their assignment afresh, each in its own wave.
          reassigned = true;
          const { rows: back } = await tx.query<{ device_id: string; wave: number }>(
            `SELECT device_id, wave FROM rollout_assignments WHERE rollout_id = $1 AND withdrawn_at IS NOT NULL ORDER BY device_id`,
            [r.id],
          );
          const stillPending = new Set((await assignedBoxes(tx, r.id, r.version)).filter((b) => b.result === 'pending').map((b) => b.device_id));
          for (const b of back) {
            if (stillPending.has(b.device_id)) {
              await assign(tx, r, b.wave, [b.device_id], releaseUrl(o.baseUrl, r.version), o.now);
              out.assigned.push(b.device_id);
            } else await tx.query(`UPDATE rollout_assignments SET withdrawn_at = NULL WHERE rollout_id = $1 AND device_id = $2`, [r.id, b.device_id]);
          }
        }
        if (r.assigned_wave < r.wave) {
          const devices = await waveBoxes(tx, r, r.waves[r.wave]);
          await assign(tx, r, r.wave, devices, releaseUrl(o.baseUrl, r.version), o.now);
          await tx.query(`UPDATE rollouts SET assigned_wave = $2, changed_at = $3 WHERE id = $1`, [r.id, r.wave, o.now.toISOString()]);
          r.assigned_wave = r.wave;
          out.assigned.push(...devices);
          continue;
        }
        // The wave is through when none of its boxes is pending (failures within the threshold count as through).
        if (p.waves[r.wave].pending > 0) return;
        if (r.wave + 1 >= r.waves.length) {
          await tx.query(`UPDATE rollouts SET state = 'done', changed_at = $2 WHERE id = $1`, [r.id, o.now.toISOString()]);
          out.done.push(r.id);
          return;
        }
        r.wave += 1;
        await tx.query(`UPDATE rollouts SET wave = $2, changed_at = $3 WHERE id = $1`, [r.id, r.wave, o.now.toISOString()]);
      }
    });
  }
  return out;
}

/**
 * Halts a rollout by hand: no new wave starts until it is resumed, and the assignments boxes have
 * not acted on are withdrawn (`withdrawn`: the boxes sent a withdrawal, for the hub to send now).
 */
export async function haltRollout(db: HubDb, id: string, reason: string, now: Date): Promise<RolloutProgress & { withdrawn: string[] }> {
  const p = await rolloutProgress(db, id);
  if (p.state === 'done') throw new RolloutError('conflict', `rollout ${id} is done: nothing to halt`);
  const withdrawn = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7345015)`);
    await tx.query(`UPDATE rollouts SET state = 'halted', halt_reason = $2, changed_at = $3 WHERE id = $1`, [id, reason, now.toISOString()]);
    return withdrawPending(tx, { id, version: p.version }, now);
  });
  return { ...(await rolloutProgress(db, id)), withdrawn };
}

/**
 * Resumes a halted rollout: the failures seen so far are accepted (the threshold counts from
 * here), and the next `advanceRollouts` goes on where it stopped.
 */
export async function resumeRollout(db: HubDb, id: string, now: Date): Promise<RolloutProgress> {
  const p = await rolloutProgress(db, id);
  if (p.state !== 'halted') throw new RolloutError('conflict', `rollout ${id} is ${p.state}, not halted: nothing to resume`);
  await db.query(`UPDATE rollouts SET state = 'running', halt_reason = NULL, accepted_failures = $2, changed_at = $3 WHERE id = $1`, [id, p.failedBoxes.length, now.toISOString()]);
  return rolloutProgress(db, id);
}
