/**
 * A first-boot template for tests, built once per PGlite version in a child process (initdb peaks
 * near 850 MB; keeping it out of the vitest worker) and cached under node_modules/.cache.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { pgliteVersion } from '../template.ts';

export const REPO_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');

/** Spawns `node --import tsx <script> ...args` from the repo root. */
export function tsxArgs(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args]];
}

export async function ensureTestTemplate(): Promise<string> {
  const dir = join(REPO_ROOT, 'node_modules/.cache/simpul-storage');
  const file = join(dir, `template-${pgliteVersion()}.tar.gz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const [cmd, args] = tsxArgs('appliance/storage/template-cli.ts', ['build', file]);
  await new Promise<void>((res, rej) => {
    const c = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? res() : rej(new Error(`template build failed (${code}): ${err.slice(-1000)}`))));
  });
  return file;
}
