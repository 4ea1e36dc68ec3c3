/**
 * Everything the box writes under its data dir is the clinic's records or the keys that guard them:
 * readable and writable by the box's own user only — directories 0700, files 0600 — whatever the
 * umask of the process that started it (PostgreSQL itself refuses a group- or world-readable data
 * dir for the same reason). New files are made so by the code that creates them (durable-fs.ts,
 * tarball.ts, backup.ts, lock.ts, tls.ts); `tightenTree` fixes a tree made before that, once at start.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The mode an entry of kind `isDir` must have, keeping its type bits. */
export function privateMode(mode: number, isDir: boolean): number {
  return (mode & ~0o7777) | (isDir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
}

/** Makes `dir` (created if missing) a private directory, whatever the umask. */
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, fs.lstatSync(dir));
}

/**
 * Takes group and other bits off `root` and everything under it (symlinks are not followed).
 * Returns how many entries were changed (0 on a box whose files were always made private).
 */
export function tightenTree(root: string): number {
  let changed = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // removed meanwhile
    }
    if (st.isSymbolicLink()) return;
    if (tighten(p, st)) changed++;
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(join(p, name));
  };
  walk(root);
  return changed;
}

function tighten(p: string, st: fs.Stats): boolean {
  // An entry no one else can reach is left as it is (the owner's own bits are the owner's business).
  if ((st.mode & 0o077) === 0) return false;
  fs.chmodSync(p, st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  return true;
}
