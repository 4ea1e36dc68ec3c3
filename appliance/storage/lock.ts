/**
 * One process per data dir. Two PGlite instances on the same files would corrupt them, so
 * openDatabase takes `<dataDir>/pgdata.lock` (created O_EXCL) and releases it on close.
 *
 * A lock left by a process that died (kill -9, power cut) is stale and taken over: the lock records
 * the pid, the kernel boot id and the process start time, so a pid reused after a reboot (or by
 * another process) is not mistaken for the owner.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`storage: ${lockFile} is held by running process ${pid}; only one process may open a data dir`);
  }
}

interface LockInfo {
  pid: number;
  bootId: string;
  start: string;
}

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] is the state, [19] the start time. */
function statFields(pid: number): string[] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

function startTime(pid: number): string {
  return statFields(pid)[19] ?? '';
}

export function lockFileOf(dataDir: string) {
  return join(dataDir, 'pgdata.lock');
}

/** The live owner of the lock, or null if free/stale. */
export function lockOwner(dataDir: string): LockInfo | null {
  let info: LockInfo;
  try {
    info = JSON.parse(fs.readFileSync(lockFileOf(dataDir), 'utf8'));
  } catch {
    return null;
  }
  if (info.bootId !== bootId()) return null;
  try {
    process.kill(info.pid, 0);
  } catch (e: any) {
    if (e?.code === 'ESRCH') return null;
  }
  const fields = statFields(info.pid);
  // A killed owner not yet reaped by its parent (a zombie) has let go of every file: it holds nothing.
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  if (info.start && (fields[19] ?? '') !== info.start) return null;
  return info;
}

/** Takes the lock; returns a release function. Throws DataDirLockedError if a live process holds it. */
export function acquireLock(dataDir: string): () => void {
  const file = lockFileOf(dataDir);
  const mine: LockInfo = { pid: process.pid, bootId: bootId(), start: startTime(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(mine));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (cur.pid === mine.pid && cur.start === mine.start) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e: any) {
      if (e?.code !== 'EEXIST') throw e;
      const owner = lockOwner(dataDir);
      if (owner) throw new DataDirLockedError(file, owner.pid);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`storage: could not take ${file}`);
}
