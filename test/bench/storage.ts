/**
 * Storage benchmark: durable vs PGlite's stock (no-sync) commits with 1 and 20 writers (plain and
 * through the box's GroupCommitDb), RSS idle and under load with a year of data for several
 * shared_buffers, restart to serving, first boot (template vs initdb), backup and restore.
 * Each measurement runs in its own process (test/storage-support/bench-child.ts).
 *
 *   npx tsx test/bench/storage.ts            (or runStorageBench() from test/bench/run.ts)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { printTable } from './table.ts';
import { REPO_ROOT, tsxArgs, ensureTestTemplate } from '../storage-support/template-cache.ts';

/** V8 heap limits that cut the box's RSS (measured here); pass them to the box's node. */
export const LEAN_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=160'];

interface ChildResult {
  wallMs: number;
  json: any;
}

function child(args: string[], nodeFlags: string[] = []): Promise<ChildResult> {
  const [cmd, argv] = tsxArgs('test/storage-support/bench-child.ts', args);
  argv.unshift(...nodeFlags);
  const t = performance.now();
  return new Promise((res, rej) => {
    const c = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let wallMs = 0;
    c.stdout.on('data', (d) => {
      out += d;
      if (!wallMs && out.includes('\n')) wallMs = performance.now() - t; // first line = ready
    });
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => {
      if (code !== 0) return rej(new Error(`bench-child ${args[0]} failed (${code}): ${err.slice(-1500)}`));
      res({ wallMs: Math.round(wallMs), json: JSON.parse(out.trim().split('\n').pop()!) });
    });
  });
}

export async function runStorageBench(): Promise<void> {
  const work = fs.mkdtempSync(join(tmpdir(), 'simpul-storage-bench-'));
  try {
    const t = performance.now();
    const template = await ensureTestTemplate();
    const templateNote = `template ${Math.round(fs.statSync(template).size / 1024)} KiB${performance.now() - t > 1000 ? `, built in ${Math.round((performance.now() - t) / 1000)} s` : ''}`;

    // First boot
    const fbT = await child(['first-boot', join(work, 'fb-template'), template]);
    const fbI = await child(['first-boot', join(work, 'fb-initdb'), 'initdb']);
    printTable(
      'Storage: first boot (fresh process → first query answered)',
      ['first boot', 'spawn → ready ms', 'open ms', 'peak RSS MB'],
      [
        [`from template (${templateNote})`, fbT.wallMs, fbT.json.openMs, fbT.json.peakMB],
        ['PGlite initdb (stock)', fbI.wallMs, fbI.json.openMs, fbI.json.peakMB],
      ],
    );

    // A year of data
    const year = join(work, 'year');
    const ly = await child(['first-boot', year, template]).then(() => child(['load-year', year]));

    // Commits/s
    const dur = await child(['commits', year, '1', '3']);
    const nod = await child(['commits', year, '0', '3']);
    printTable(
      'Storage: referral-creation commits/s (one-row transactions; syncs per commit)',
      ['writers', 'durable/s', 'durable syncs/commit', 'PGlite stock (no sync)/s'],
      Object.keys(dur.json).map((k) => [k, dur.json[k].perS, dur.json[k].syncsPerCommit, nod.json[k].perS]),
    );

    // Footprint and restart with a year of data
    const rows: (string | number)[][] = [];
    const configs: [string, string[]][] = [
      ['8MB', []],
      ['16MB', []],
      ['32MB', []],
      ['128MB', []],
      ['16MB', LEAN_NODE_FLAGS],
    ];
    for (const [sb, flags] of configs) {
      const r = await child(['serve', year, sb, '6'], flags);
      rows.push([sb + (flags.length ? ` + node ${flags.join(' ')}` : ''), r.wallMs, r.json.readyMs, r.json.idleRssMB, r.json.loadRssMB, r.json.peakMB, r.json.reqPerS]);
    }
    printTable(
      `Storage: restart and RSS with a year of data (${ly.json.size}; 20 clients reading histories + creating referrals)`,
      ['shared_buffers', 'restart → serving ms', 'open ms', 'RSS idle MB', 'RSS under load MB', 'peak RSS MB', 'requests/s'],
      rows,
    );

    // Backup / restore
    const file = join(work, 'year.tar.gz');
    const bk = await child(['backup', year, file]);
    const rs = await child(['restore', file, join(work, 'restored')]);
    printTable(
      'Storage: backup and restore (a year of data)',
      ['operation', 'ms', 'writes held ms', 'size', 'peak RSS MB'],
      [
        ['online backup (tar.gz)', bk.json.ms, bk.json.lockedMs, `${(bk.json.bytes / 2 ** 20).toFixed(1)} MiB`, bk.json.peakMB],
        ['restore + open (recovery)', rs.json.ms, '—', '', rs.json.peakMB],
      ],
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runStorageBench();
}
