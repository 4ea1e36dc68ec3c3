import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/wait.ts';
import { acquireLock, DataDirLockedError, lockFileOf, lockOwner } from './lock.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dataDir() {
  const d = fs.mkdtempSync(join(tmpdir(), 'simpul-lock-'));
  dirs.push(d);
  return d;
}

function stat(pid: number) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

/** Writes the lock as the box at `pid` would have (boot id and start time from /proc). */
function lockAs(dir: string, pid: number) {
  const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  fs.writeFileSync(lockFileOf(dir), JSON.stringify({ pid, bootId, start: stat(pid)[19] }));
}

describe('the data dir lock', () => {
  it('refuses a second opener while the owner runs', () => {
    const dir = dataDir();
    const release = acquireLock(dir);
    expect(() => acquireLock(dir)).toThrow(DataDirLockedError);
    release();
    acquireLock(dir)();
  });

  it('is taken over from an owner killed and not yet reaped (a zombie holds no files)', async () => {
    // The box killed with -9 whose parent has not reaped it yet: `sleep 0` exits, and the shell,
    // replaced by `sleep 30`, never waits for it.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(sh);
    const pid = Number(await new Promise<string>((resolve) => sh.stdout.once('data', (b) => resolve(String(b)))));
    await until('the child is a zombie', () => stat(pid)[0] === 'Z', 5_000);
    const dir = dataDir();
    lockAs(dir, pid);
    expect(lockOwner(dir)).toBeNull();
    const release = acquireLock(dir);
    expect(JSON.parse(fs.readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('is kept by a live owner that is not this process', async () => {
    const sh = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sh);
    await until('the child runs', () => sh.pid && fs.existsSync(`/proc/${sh.pid}/stat`), 5_000);
    const dir = dataDir();
    lockAs(dir, sh.pid!);
    expect(() => acquireLock(dir)).toThrow(DataDirLockedError);
  });
});
