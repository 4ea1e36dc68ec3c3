/**
 * Backups: a backup taken while writes go on restores to a consistent state (a prefix of the
 * committed rows, amcheck clean); the CLI backs up a running box online through its control socket,
 * restores, validates its arguments and refuses a non-empty target or a damaged file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { openDatabase } from '../appliance/storage/database.ts';
import { backupDatabase, restoreBackup } from '../appliance/storage/backup.ts';
import { checkConsistency } from '../appliance/storage/consistency.ts';
import { DataDirLockedError } from '../appliance/storage/lock.ts';
import { spawnWriter, type WriterHandle } from './storage-support/writer.ts';
import { ensureTestTemplate, REPO_ROOT, tsxArgs } from './storage-support/template-cache.ts';
import { sleep } from './support/wait.ts';

const quiet = { log: () => {} };

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, argv] = tsxArgs('appliance/storage/backup-cli.ts', args);
  return new Promise((res) => {
    const c = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('storage backups', () => {
  let work: string;
  let template: string;
  const live = new Set<WriterHandle>();
  beforeAll(async () => {
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-backup-'));
    template = await ensureTestTemplate();
  });
  afterAll(async () => {
    for (const w of live) w.child.kill('SIGKILL');
    await Promise.all([...live].map((w) => w.exited));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('an online backup taken during writes restores to a consistent prefix of the commits', async () => {
    const dataDir = join(work, 'box');
    const db = await openDatabase({ dataDir, template, ...quiet });
    await db.exec('CREATE TABLE storage_probe (id bigint PRIMARY KEY, payload text NOT NULL)');
    let next = 1;
    let stop = false;
    let ackedAtStart = 0;
    const writer = (async () => {
      while (!stop) {
        await db.query('INSERT INTO storage_probe VALUES ($1, $2)', [next++, 'y'.repeat(200)]);
        await new Promise((r) => setImmediate(r)); // PGlite runs synchronously: let timers run
      }
    })();
    await sleep(300);
    ackedAtStart = next - 1;
    const file = join(work, 'online.tar.gz');
    const result = await backupDatabase(db, file);
    await sleep(100);
    stop = true;
    await writer;
    const total = next - 1;
    await expect(openDatabase({ dataDir, ...quiet })).rejects.toBeInstanceOf(DataDirLockedError);
    await db.close();
    expect(result.lockedMs).toBeLessThan(result.totalMs);

    const restored = join(work, 'restored');
    await restoreBackup(file, restored);
    await expect(restoreBackup(file, restored)).rejects.toThrow(/non-empty/);
    const db2 = await openDatabase({ dataDir: restored, extensions: { amcheck }, ...quiet });
    try {
      const { rows } = await db2.query<{ n: number; max: string | null }>('SELECT count(*)::int AS n, max(id)::text AS max FROM storage_probe');
      const n = rows[0].n;
      // consistent: exactly ids 1..n (a prefix of the single writer's commits), and no fewer than
      // were acknowledged when the backup started
      expect(Number(rows[0].max ?? 0)).toBe(n);
      expect(n).toBeGreaterThanOrEqual(ackedAtStart);
      expect(n).toBeLessThanOrEqual(total);
      const report = await checkConsistency(db2);
      expect(report.problems).toEqual([]);
      console.log(
        `backup during writes: ${ackedAtStart} acked at start, ${n} restored, ${total} total; locked ${result.lockedMs.toFixed(0)} ms of ${result.totalMs.toFixed(0)} ms, ${result.bytes} bytes`,
      );
    } finally {
      await db2.close();
    }
  }, 90_000);

  it('backup-cli: online backup of a running box, restore, argument checks', async () => {
    const dataDir = join(work, 'cli-box');
    const w = spawnWriter(dataDir, [`--template=${template}`]);
    live.add(w);
    await w.ready;
    await sleep(300);
    const file = join(work, 'cli.tar.gz');
    const b = await cli(['backup', dataDir, file]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).mode).toBe('online');
    const ackedBefore = w.acks.length;
    w.child.kill('SIGKILL');
    await w.exited;
    live.delete(w);

    const target = join(work, 'cli-restored');
    const r = await cli(['restore', file, target]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).amcheck.ok).toBe(true);
    const again = await cli(['restore', file, target]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/non-empty/);

    const db = await openDatabase({ dataDir: target, ...quiet });
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM storage_probe');
    await db.close();
    expect(rows[0].n).toBeGreaterThan(0);
    expect(rows[0].n).toBeLessThanOrEqual(ackedBefore + 1);

    // a damaged backup is refused and leaves nothing behind
    const bad = join(work, 'bad.tar.gz');
    const buf = fs.readFileSync(file);
    buf[Math.floor(buf.length / 2)] ^= 0xff;
    fs.writeFileSync(bad, buf);
    const target2 = join(work, 'bad-restored');
    const rb = await cli(['restore', bad, target2]);
    expect(rb.code).toBe(1);
    expect(fs.existsSync(join(target2, 'pgdata'))).toBe(false);

    expect((await cli([])).code).toBe(2);
    expect((await cli(['backup', dataDir])).code).toBe(2);
    expect((await cli(['backup', join(work, 'nothing-here'), file])).code).toBe(2);
    expect((await cli(['frobnicate', 'a', 'b'])).code).toBe(2);
  }, 180_000);
});
