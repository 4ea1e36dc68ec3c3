/**
 * A first-boot template for tests, built once per PGlite version in a child process (initdb peaks
 * near 850 MB; keeping it out of the vitest worker) and cached under node_modules/.cache.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pgliteVersion } from '../../appliance/storage/template.ts';

export const REPO_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** Spawns `node --import tsx <script> ...args` from the repo root. */
export function tsxArgs(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args]];
}

export async function ensureTestTemplate(): Promise<string> {
  const dir = join(REPO_ROOT, 'node_modules/.cache/simpul-storage');
  // keyed on PGlite's version and the migrations, so a template never lags the schema
  const migrations = fs.readFileSync(join(REPO_ROOT, 'appliance/storage/migrations.ts'));
  const key = createHash('sha256').update(pgliteVersion()).update(migrations).digest('hex').slice(0, 12);
  const file = join(dir, `template-${pgliteVersion()}-${key}.tar.gz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  // One builder at a time (test files run in parallel workers; a build peaks near 850 MB).
  const lock = `${file}.lock`;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (e: any) {
      if (e?.code !== 'EEXIST') throw e;
      if (fs.existsSync(file)) return file;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 180_000) fs.rmSync(lock, { force: true }); // stale
      } catch {
        /* gone meanwhile */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (fs.existsSync(file)) return file;
    for (const old of fs.readdirSync(dir)) if (/^template-.*\.tar\.gz$/.test(old) && join(dir, old) !== file) fs.rmSync(join(dir, old), { force: true });
    const [cmd, args] = tsxArgs('appliance/storage/template-cli.ts', ['build', file]);
    await new Promise<void>((res, rej) => {
      const c = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      c.on('exit', (code) => (code === 0 ? res() : rej(new Error(`template build failed (${code}): ${err.slice(-1000)}`))));
    });
    return file;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
