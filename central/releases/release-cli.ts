/**
 * The release and rollout commands of central/cli.ts (until the console shows rollouts), straight
 * on the hub's database and data dir, like `operator`:
 *
 *   release register <bundle.tar> --version 0.2.0 [--sha256 <hex>]
 *   release list
 *   rollout create --version 0.2.0 --wave <filter> [--wave <filter>]… [--max-failures 0] [--max-failure-percent 10]
 *       a filter: `all`, or comma-separated region=5301, tags=pilot+ntt, devices=id1+id2, percent=10
 *   rollout list | rollout status <id> | rollout halt <id> [--reason text] | rollout resume <id>
 *
 * Every argument is checked with the same zod schemas the hub uses; a refusal says what to do.
 */
import { z } from 'zod';
import { ReleaseError, registerRelease } from './registry.ts';
import { RolloutError, createRollout, haltRollout, listRollouts, resumeRollout, rolloutProgress, waveFilter, type RolloutProgress } from './rollouts.ts';
import type { HubDb } from '../storage/db.ts';
import { cliActor, recordAudit, type AuditAction } from '../audit/audit.ts';

export const RELEASE_USAGE = `  central/cli.ts release register <bundle.tar> --version x.y.z [--sha256 hex] [--data-dir dir]
  central/cli.ts release list [--data-dir dir]
  central/cli.ts rollout create --version x.y.z --wave <filter> [--wave <filter>]... [--max-failures n] [--max-failure-percent p] [--data-dir dir]
      <filter>: all | comma-separated region=5301, tags=pilot+ntt, devices=id1+id2, percent=10
  central/cli.ts rollout list|status <id>|halt <id> [--reason text]|resume <id> [--data-dir dir]`;

export interface ReleaseCliArgs {
  positionals: string[];
  version?: string;
  sha256?: string;
  wave?: string[];
  maxFailures?: string;
  maxFailurePercent?: string;
  reason?: string;
}

type Out = { ok: boolean; message: string };

/** `region=5301,percent=10` → the wave filter's object (checked by the caller with `waveFilter`). */
export function parseWave(text: string): Record<string, unknown> {
  if (text.trim() === 'all') return {};
  const wave: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new RolloutError('invalid', `--wave ${text}: "${part}" is not key=value (region=5301, tags=a+b, devices=id1+id2, percent=10, or all)`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'region') wave.region = value;
    else if (key === 'tags' || key === 'devices') wave[key] = value.split('+').filter(Boolean);
    else if (key === 'percent') wave.percent = Number(value.replace(/%$/, ''));
    else throw new RolloutError('invalid', `--wave ${text}: unknown key "${key}" (region, tags, devices, percent)`);
  }
  const checked = waveFilter.safeParse(wave);
  if (!checked.success) throw new RolloutError('invalid', `--wave ${text}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return wave;
}

const describeWave = (f: z.infer<typeof waveFilter>) =>
  Object.entries(f)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(',') || 'all';

/** A rollout's progress as a table a person reads in a terminal. */
export function formatProgress(p: RolloutProgress): string {
  const head = `rollout ${p.id}: ${p.version}, ${p.state}${p.state === 'running' ? `, wave ${p.wave + 1} of ${p.waves.length}` : ''}${p.haltReason ? ` — ${p.haltReason}` : ''}`;
  const threshold = `threshold: more than ${p.maxFailures} failed${p.maxFailurePercent !== null ? ` or more than ${p.maxFailurePercent}%` : ''}${p.acceptedFailures ? ` (${p.acceptedFailures} accepted at a resume)` : ''}`;
  const rows = p.waves.map((w) =>
    [`${w.wave + 1}`, describeWave(w.filter), w.started ? String(w.assigned) : '-', String(w.updated), String(w.failed), String(w.pending)]
      .map((c, i) => (i === 1 ? c.padEnd(30) : c.padStart(8)))
      .join(' '),
  );
  return [
    head,
    threshold,
    ['wave', 'filter'.padEnd(30), 'assigned', 'updated', 'failed', 'pending'].map((c, i) => (i === 1 ? c : c.padStart(8))).join(' '),
    ...rows,
    ...(p.failedBoxes.length ? [`failed: ${p.failedBoxes.join(', ')}`] : []),
  ].join('\n');
}

export async function releaseCli(db: HubDb, dataDir: string, a: ReleaseCliArgs, now = new Date()): Promise<Out> {
  const [group, sub, arg] = a.positionals;
  const audit = (action: AuditAction, target: string, detail?: Record<string, string | number>) =>
    recordAudit(db, { actor: cliActor(), role: 'cli', address: 'local', action, target, region: '', result: 'ok', detail }, now);
  try {
    if (group === 'release' && sub === 'register') {
      if (!arg) return { ok: false, message: `give the bundle: central/cli.ts release register simpul-box-<version>.tar --version <version>\n${RELEASE_USAGE}` };
      if (!a.version) return { ok: false, message: `give the release's version: --version (as built by build-release.sh --version)` };
      const r = await registerRelease(db, dataDir, { file: arg, version: a.version, ...(a.sha256 ? { sha256: a.sha256 } : {}) });
      if (!r.already) await audit('release_register', `release ${r.version}`, { bytes: r.bytes, sha256: r.sha256 });
      return { ok: true, message: `${r.already ? 'already registered' : 'registered'}: ${r.version}, ${r.bytes} bytes, sha256 ${r.sha256}` };
    }
    if (group === 'release' && sub === 'list') {
      const { rows } = await db.query<{ version: string; bytes: string; sha256: string; registered_at: unknown }>(
        `SELECT version, bytes, sha256, registered_at FROM releases ORDER BY registered_at`,
      );
      return { ok: true, message: rows.length ? rows.map((r) => `${r.version}  ${r.bytes} bytes  ${r.sha256}`).join('\n') : 'no release registered' };
    }
    if (group === 'rollout' && sub === 'create') {
      if (!a.version || !a.wave?.length)
        return { ok: false, message: `give the release and at least one wave: --version x.y.z --wave region=5301,percent=10 --wave all\n${RELEASE_USAGE}` };
      const num = (flag: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) throw new RolloutError('invalid', `${flag} ${v}: expected a number`);
        return n;
      };
      const { id } = await createRollout(
        db,
        {
          version: a.version,
          waves: a.wave.map(parseWave),
          maxFailures: num('--max-failures', a.maxFailures),
          maxFailurePercent: num('--max-failure-percent', a.maxFailurePercent),
        },
        cliActor(),
        now,
      );
      await audit('rollout_create', `rollout ${id}`, { version: a.version, waves: a.wave.length });
      return { ok: true, message: `rollout ${id} created; the hub assigns its first wave within 30 s (see: central/cli.ts rollout status ${id})` };
    }
    if (group === 'rollout' && sub === 'list') {
      const all = await listRollouts(db);
      return { ok: true, message: all.length ? all.map(formatProgress).join('\n\n') : 'no rollout yet' };
    }
    if (group === 'rollout' && (sub === 'status' || sub === 'halt' || sub === 'resume')) {
      if (!arg) return { ok: false, message: `give the rollout's id (central/cli.ts rollout list shows them)` };
      const p =
        sub === 'status'
          ? await rolloutProgress(db, arg)
          : sub === 'halt'
            ? await haltRollout(db, arg, `halted by hand${a.reason ? `: ${a.reason.slice(0, 200)}` : ''}`, now)
            : await resumeRollout(db, arg, now);
      if (sub !== 'status') await audit(sub === 'halt' ? 'rollout_halt' : 'rollout_resume', `rollout ${arg}`, a.reason ? { reason: a.reason.slice(0, 200) } : undefined);
      return { ok: true, message: formatProgress(p) };
    }
  } catch (e) {
    if (e instanceof RolloutError || e instanceof ReleaseError) return { ok: false, message: e.message };
    throw e;
  }
  return { ok: false, message: RELEASE_USAGE };
}
