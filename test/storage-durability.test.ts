/**
 * Proof, from the kernel's side, that a commit is on stable storage before it is acknowledged:
 * a child process (test/storage-support/writer-child.ts) commits rows one by one and
 * prints `ACK <id>` with a write(2) on fd 1 after each commit returns; it runs under
 * `strace -f -y -e trace=fsync,fdatasync,pwrite64,write`. For every ACK, the trace must show a WAL
 * write since the previous ACK, followed by an fdatasync of that WAL file, before the ACK.
 * The same run in benchmark mode (durable=false) shows no sync at all, so the check has teeth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { checkSyncBeforeAck, isLiveWalFile, isStdoutAck, runUnderStrace, straceAvailable } from './storage-support/strace.ts';
import { ensureTestTemplate, REPO_ROOT, tsxArgs } from './storage-support/template-cache.ts';

const COMMITS = 40;

describe('storage durability (strace)', () => {
  let work: string;
  let template: string;

  beforeAll(async () => {
    if (!straceAvailable()) throw new Error('strace is required for this test: apt-get install -y strace');
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-durability-'));
    template = await ensureTestTemplate();
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  async function traced(name: string, extra: string[]) {
    const dataDir = join(work, name);
    const [cmd, args] = tsxArgs('test/storage-support/writer-child.ts', [dataDir, `--count=${COMMITS}`, `--template=${template}`, ...extra]);
    const run = await runUnderStrace(cmd, args, { traceFile: join(work, `${name}.strace`), cwd: REPO_ROOT, timeoutMs: 90_000 });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toContain('DONE');
    return { run, check: checkSyncBeforeAck(run.events, isStdoutAck, isLiveWalFile) };
  }

  it("syncs the WAL after each commit's WAL write and before the commit returns", async () => {
    const { run, check } = await traced('durable', []);
    expect(check.acks).toBe(COMMITS);
    expect(check.violations).toEqual([]);
    expect(check.walSyncs).toBeGreaterThanOrEqual(COMMITS);
    // Directories are synced where files are created/renamed (first boot, WAL segments, shutdown checkpoint).
    expect(check.dirSyncs).toBeGreaterThan(0);
    // and every sync went through a real system call on a file of the data dir
    const syncs = run.events.filter((e) => e.call === 'fsync' || e.call === 'fdatasync');
    expect(syncs.some((e) => e.path.includes('/pgdata/global/pg_control'))).toBe(true);
  }, 100_000);

  it('benchmark mode (durable=false) makes no sync at all — the check above has teeth', async () => {
    const { run, check } = await traced('bench', ['--durable=0']);
    expect(check.acks).toBe(COMMITS);
    const dataSyncs = run.events.filter((e) => (e.call === 'fsync' || e.call === 'fdatasync') && e.path.includes('/pgdata/'));
    expect(dataSyncs).toEqual([]);
    expect(check.walWrites).toBeGreaterThanOrEqual(COMMITS); // the WAL is written at each commit...
    expect(check.walSyncs).toBe(0); // ...but never synced
    expect(check.violations.length).toBe(COMMITS);
  }, 100_000);
});
