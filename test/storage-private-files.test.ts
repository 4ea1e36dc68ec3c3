/**
 * The box's files are the clinic's records and keys: under any umask, every directory it makes
 * under its data dir is 0700 and every file (and the control socket) 0600 — first boot from the
 * template and from initdb, certificate, lock, socket, backup, restore — and a data dir made
 * before that is tightened at start.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ensureTestTemplate, REPO_ROOT, tsxArgs } from './storage-support/template-cache.ts';

describe('files under the data dir are private to the box', () => {
  const work = fs.mkdtempSync(join(tmpdir(), 'simpul-umask-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('are 0600 and 0700 under umask 000, from template, initdb, backup, restore and an old data dir', async () => {
    const template = await ensureTestTemplate();
    const [cmd, args] = tsxArgs('test/storage-support/umask-child.ts', [work, template]);
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr.slice(-2000)}`))));
    });
    const modes = JSON.parse(out) as Record<string, string>;
    const entries = Object.entries(modes);
    // Everything the test means to look at is there.
    for (const p of [
      'template-box/pgdata/PG_VERSION',
      'template-box/pgdata/global/pg_control',
      'template-box/pgdata.lock',
      'template-box/storage.sock',
      'template-box/tls/box-key.pem',
      'template-box/tls/box-cert.pem',
      'template-box/backups/box.tar.gz',
      'restored-box/pgdata/PG_VERSION',
      'initdb-box/pgdata/PG_VERSION',
      'initdb-box/pgdata/base',
    ])
      expect(modes[p], p).toBeDefined();
    expect(entries.filter(([p]) => p.startsWith('initdb-box/pgdata/')).length).toBeGreaterThan(500);
    const loose = entries.filter(([, m]) => !['dir 0700', 'file 0600', 'socket 0600'].includes(m));
    expect(loose).toEqual([]);
  }, 120_000);
});
