/**
 * Run a command under `strace -f -y` and check, from the system calls themselves, that the WAL was
 * synced after each commit's WAL write and before the commit was acknowledged.
 *
 * Reusable for other acknowledgement channels (e.g. an HTTP response written to a socket): pass an
 * `isAck` predicate that recognises the acknowledging syscall.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface SyscallEvent {
  pid: number;
  call: string;
  fd: number;
  /** The path strace -y printed for the fd (e.g. /x/pgdata/pg_wal/0000...1, pipe:[123], socket:[9]). */
  path: string;
  /** The rest of the argument list, as printed (strings truncated per `-s`). */
  rest: string;
  line: number;
}

export function straceAvailable(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface StraceRun {
  events: SyscallEvent[];
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs cmd under strace; resolves when it exits (or rejects after timeoutMs, killing it). */
export async function runUnderStrace(
  cmd: string,
  args: string[],
  opts: { traceFile: string; syscalls?: string[]; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; strSize?: number },
): Promise<StraceRun> {
  const syscalls = opts.syscalls ?? ['fsync', 'fdatasync', 'pwrite64', 'write'];
  const straceArgs = ['-f', '-y', '-qq', '-e', 'signal=none', '-s', String(opts.strSize ?? 24), '-e', `trace=${syscalls.join(',')}`, '-o', opts.traceFile, '--', cmd, ...args];
  const child = spawn('strace', straceArgs, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strace run timed out; stderr: ${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 90_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const events = parseStrace(fs.readFileSync(opts.traceFile, 'utf8'));
  return { events, stdout, stderr, code };
}

const LINE = /^(\d+)\s+([a-z0-9_]+)\((\d+)<([^>]*)>(?:,\s*)?(.*)$/;
const RESUMED = /^(\d+)\s+<\.\.\. ([a-z0-9_]+) resumed>\s*(.*)$/;

/**
 * Parses `strace -f -y` output. When threads interleave, strace splits a call into
 * `<unfinished ...>` and `<... call resumed>` lines; the two are joined into one event placed at the
 * resumed line (where the call completed, e.g. where a read's data arrived).
 */
export function parseStrace(text: string): SyscallEvent[] {
  const out: SyscallEvent[] = [];
  const unfinished = new Map<number, { call: string; fd: number; path: string; rest: string }>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const resumed = RESUMED.exec(lines[i]);
    if (resumed) {
      const pid = Number(resumed[1]);
      const start = unfinished.get(pid);
      if (start && start.call === resumed[2]) {
        unfinished.delete(pid);
        out.push({ pid, call: start.call, fd: start.fd, path: start.path, rest: `${start.rest}${resumed[3]}`, line: i + 1 });
      }
      continue;
    }
    const m = LINE.exec(lines[i]);
    if (!m) continue;
    const event = { pid: Number(m[1]), call: m[2], fd: Number(m[3]), path: m[4], rest: m[5] };
    if (event.rest.endsWith('<unfinished ...>')) {
      unfinished.set(event.pid, { ...event, rest: event.rest.slice(0, -'<unfinished ...>'.length).trimEnd() });
      continue;
    }
    out.push({ ...event, line: i + 1 });
  }
  return out;
}

export const isWalFile = (path: string) => /\/pg_wal\/[0-9A-F]{24}$/.test(path);
/** The live WAL of `<dataDir>/pgdata` (not the staging copy a first boot extracts). */
export const isLiveWalFile = (path: string) => /\/pgdata\/pg_wal\/[0-9A-F]{24}$/.test(path);

export interface AckCheck {
  acks: number;
  /** One message per acknowledgement that was not preceded by WAL write → WAL sync. */
  violations: string[];
  walWrites: number;
  walSyncs: number;
  dirSyncs: number;
}

/**
 * For each acknowledgement (an event matching `isAck`), the events since the previous one must
 * contain a WAL write, and the last WAL write must be followed by a sync of that WAL file before
 * the acknowledgement. This is "synced before commit returns", read from the kernel's side.
 */
export function checkSyncBeforeAck(events: SyscallEvent[], isAck: (e: SyscallEvent) => boolean, isWal: (path: string) => boolean = isWalFile): AckCheck {
  const violations: string[] = [];
  let acks = 0;
  let walWrites = 0;
  let walSyncs = 0;
  let dirSyncs = 0;
  let lastWalWrite: SyscallEvent | null = null; // last WAL write since the previous ack
  let syncedAfterWrite = false;
  let wroteSinceAck = false;
  for (const e of events) {
    if (isAck(e)) {
      acks++;
      if (!wroteSinceAck) violations.push(`ack at trace line ${e.line} (${e.rest}) had no WAL write before it`);
      else if (!syncedAfterWrite) violations.push(`ack at trace line ${e.line} (${e.rest}): WAL write at line ${lastWalWrite!.line} was not synced before it`);
      wroteSinceAck = false;
      syncedAfterWrite = false;
      continue;
    }
    if ((e.call === 'pwrite64' || e.call === 'write') && isWal(e.path)) {
      walWrites++;
      lastWalWrite = e;
      wroteSinceAck = true;
      syncedAfterWrite = false;
    } else if ((e.call === 'fdatasync' || e.call === 'fsync') && isWal(e.path)) {
      walSyncs++;
      if (lastWalWrite && lastWalWrite.path === e.path) syncedAfterWrite = true;
    } else if (e.call === 'fsync' || e.call === 'fdatasync') {
      try {
        if (e.path && fs.statSync(e.path).isDirectory()) dirSyncs++;
      } catch {
        /* path gone (temp file renamed): not a directory sync */
      }
    }
  }
  return { acks, violations, walWrites, walSyncs, dirSyncs };
}

/** An ack written as `ACK <id>` to fd 1 (what writer-child.ts prints). */
export const isStdoutAck = (e: SyscallEvent) => e.call === 'write' && e.fd === 1 && e.rest.startsWith('"ACK ');
