/**
 * Proof, from the kernel's side, that the box answers 2xx to a write only after that write's WAL is
 * on stable storage — over real HTTP requests to the real box (issue 4, Proof).
 *
 * The box (appliance/box.ts, demo mode, plain HTTP on loopback) runs in a child process
 * (test/storage-support/http-box-child.ts) under
 * `strace -f -y -e trace=fsync,fdatasync,pwrite64,write,writev,sendto,read`. This process (not
 * traced) sends REQUESTS sequential `POST /api/v1/queue/take` requests — public, and each one
 * inserts a ticket in one transaction (one group-commit group of its own, as nothing else is in
 * flight). Then, in the trace, for every 2xx answer (the write(v) of "HTTP/1.1 2xx" to the socket):
 *   - within its own request window (from the read of its "POST /api/v1/queue/take" on that socket
 *     to the answer), the live WAL (`<dataDir>/pgdata/pg_wal/<segment>`) is written (pwrite64),
 *   - the last of those WAL writes is followed by an fsync/fdatasync of the same WAL file,
 *   - and only then is the answer written: WAL write → WAL sync → response, all on one thread.
 * The shared checker of the non-HTTP proof (checkSyncBeforeAck) must agree, the WAL must be synced at
 * least once per answer, and dropping the syncs from the very same trace must make every answer a
 * violation (so the checks can fail; test/storage-durability.test.ts shows that benchmark mode,
 * durable=false, really makes no sync — startBox does not expose that switch).
 *
 * Then WAVES waves of WAVE concurrent takes, which the box stores in batches (one statement and one
 * commit for the tickets taken together, clinic/queue.ts): every answer's window must still hold a
 * WAL write and its sync before the answer, and the waves must have shared syncs (fewer WAL syncs
 * than answers), so the batched path is the one proved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { checkSyncBeforeAck, isLiveWalFile, runUnderStrace, straceAvailable, type StraceRun, type SyscallEvent } from './storage-support/strace.ts';
import { ensureTestTemplate, REPO_ROOT, tsxArgs } from './storage-support/template-cache.ts';
import { sleep } from './support/wait.ts';

const REQUESTS = 20;
const WAVES = 3;
const WAVE = 20;
const TOTAL = REQUESTS + WAVES * WAVE;
const SYSCALLS = ['fsync', 'fdatasync', 'pwrite64', 'write', 'writev', 'sendto', 'read'];

const isSocket = (e: SyscallEvent) => e.path.startsWith('socket:') || e.path.startsWith('TCP');
const isSync = (e: SyscallEvent) => e.call === 'fsync' || e.call === 'fdatasync';
const isWalWrite = (e: SyscallEvent) => (e.call === 'pwrite64' || e.call === 'write') && isLiveWalFile(e.path);
/** The box's answer: "HTTP/1.1 2xx" written to a socket (write, or writev's first iovec, or sendto). */
const isHttp2xx = (e: SyscallEvent) => (e.call === 'write' || e.call === 'writev' || e.call === 'sendto') && isSocket(e) && /^\[?\{?(?:iov_base=)?"HTTP\/1\.1 2\d\d /.test(e.rest);
const isTakeRequest = (e: SyscallEvent) => e.call === 'read' && isSocket(e) && e.rest.startsWith('"POST /api/v1/queue/take ');

interface Window {
  request: SyscallEvent | undefined;
  answer: SyscallEvent;
  walWrites: SyscallEvent[];
  /** The first sync of the last WAL write's file after that write, before the answer. */
  sync: SyscallEvent | undefined;
}

/** For each 2xx answer: its request window and the WAL writes and syncs in it. */
function windows(events: SyscallEvent[]): Window[] {
  const out: Window[] = [];
  const lastRequest = new Map<string, number>(); // socket path → index of its latest take request
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (isTakeRequest(e)) lastRequest.set(e.path, i);
    if (!isHttp2xx(e)) continue;
    const from = lastRequest.get(e.path);
    lastRequest.delete(e.path);
    const inside = from === undefined ? [] : events.slice(from + 1, i);
    const walWrites = inside.filter(isWalWrite);
    const last = walWrites.at(-1);
    const sync = last && inside.slice(inside.indexOf(last) + 1).find((s) => isSync(s) && s.path === last.path);
    out.push({ request: from === undefined ? undefined : events[from], answer: e, walWrites, sync });
  }
  return out;
}

describe('storage durability over HTTP (strace on the real box)', () => {
  let work: string;
  let boxPid: number | undefined;
  let running: Promise<StraceRun> | undefined;
  let run: StraceRun;
  const answers: { status: number; label: string }[] = [];
  let elapsedMs = 0;

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    if (!straceAvailable()) throw new Error('strace is required for this test: apt-get install -y strace');
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-http-durability-'));
    const template = await ensureTestTemplate();
    const readyFile = join(work, 'ready.json');
    const [cmd, args] = tsxArgs('test/storage-support/http-box-child.ts', [join(work, 'box'), readyFile, `--template=${template}`]);
    running = runUnderStrace(cmd, args, { traceFile: join(work, 'box.strace'), syscalls: SYSCALLS, cwd: REPO_ROOT, timeoutMs: 100_000, strSize: 64 });
    running.catch(() => {}); // awaited below; never an unhandled rejection if the setup fails first

    // Wait for the box (bounded); stop early if it died.
    let exited = false;
    void running.then(
      () => (exited = true),
      () => (exited = true),
    );
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(readyFile)) {
      if (exited) {
        const r = await running.catch((e: Error) => ({ stderr: e.message, stdout: '' }));
        throw new Error(`box exited before serving: ${r.stderr.slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error('box did not start within 90 s');
      await sleep(100);
    }
    const { url, pid } = JSON.parse(fs.readFileSync(readyFile, 'utf8')) as { url: string; pid: number };
    boxPid = pid;

    const t0 = performance.now();
    const take = async () => {
      const res = await fetch(`${url}/api/v1/queue/take`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ poli: 'umum' }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json()) as { ticket?: { label?: string } };
      answers.push({ status: res.status, label: body.ticket?.label ?? '' });
    };
    for (let i = 0; i < REQUESTS; i++) await take();
    elapsedMs = performance.now() - t0;
    for (let w = 0; w < WAVES; w++) await Promise.all(Array.from({ length: WAVE }, take));

    process.kill(pid, 'SIGTERM'); // the box closes cleanly and exits; strace exits with it
    run = await running;
    running = undefined;
  }, 120_000);

  afterAll(async () => {
    // The box's pid is known once it serves; before that, from the pid file it writes at start.
    const pidFile = work ? join(work, 'ready.json.pid') : '';
    if (boxPid === undefined && pidFile && fs.existsSync(pidFile)) boxPid = Number(fs.readFileSync(pidFile, 'utf8')) || undefined;
    if (boxPid !== undefined && alive(boxPid)) process.kill(boxPid, 'SIGKILL');
    if (running) await running.catch(() => {});
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('answers every request 2xx and the box exits cleanly', () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(answers.map((a) => a.status)).toEqual(Array(TOTAL).fill(200));
    expect(new Set(answers.map((a) => a.label)).size).toBe(TOTAL); // each request made its own ticket
    console.log(`storage-http-durability: ${REQUESTS} durable HTTP writes under strace in ${elapsedMs.toFixed(0)} ms; ${run.events.length} traced syscalls`);
  });

  it("syncs the WAL between each write's commit and its 2xx answer (WAL write → WAL sync → response)", () => {
    const ws = windows(run.events);
    expect(ws.length).toBe(TOTAL); // one 2xx answer in the trace per answer received, nothing else
    const problems: string[] = [];
    for (const [i, w] of ws.entries()) {
      const at = `answer ${i + 1} (${answers[i]?.label}, trace line ${w.answer.line})`;
      if (!w.request) problems.push(`${at}: no "POST /api/v1/queue/take" read on ${w.answer.path} before it`);
      else if (!w.walWrites.length) problems.push(`${at}: no WAL write since its request (line ${w.request.line})`);
      else if (!w.sync) problems.push(`${at}: WAL write at line ${w.walWrites.at(-1)!.line} was not synced before the answer`);
      // One thread writes the WAL, syncs it and answers: the order above is program order.
      else if (new Set([w.request.pid, w.walWrites.at(-1)!.pid, w.sync.pid, w.answer.pid]).size !== 1) {
        problems.push(`${at}: request, WAL write, sync and answer on different threads`);
      }
    }
    expect(problems).toEqual([]);
    // and the sync really is of the live WAL, by fdatasync/fsync, between the write and the answer
    for (const w of ws) {
      const write = w.walWrites.at(-1)!;
      expect(isLiveWalFile(w.sync!.path)).toBe(true);
      expect(w.request!.line).toBeLessThan(write.line);
      expect(write.line).toBeLessThan(w.sync!.line);
      expect(w.sync!.line).toBeLessThan(w.answer.line);
    }
  });

  it('the concurrent waves were stored in batches: fewer WAL syncs than answers, each answer after its sync', () => {
    const ws = windows(run.events).slice(REQUESTS);
    expect(ws.length).toBe(WAVES * WAVE);
    const from = Math.min(...ws.map((w) => w.request!.line));
    const to = Math.max(...ws.map((w) => w.answer.line));
    const syncs = run.events.filter((e) => isSync(e) && isLiveWalFile(e.path) && e.line > from && e.line < to);
    expect(syncs.length).toBeGreaterThan(0);
    expect(syncs.length).toBeLessThan(WAVES * WAVE);
    for (const w of ws) expect(w.sync && w.sync.line < w.answer.line).toBe(true);
  });

  // The shared checker wants a WAL write between any two answers, so it reads the sequential part.
  const sequentialPart = () => {
    const answersSeen = run.events.filter(isHttp2xx);
    return run.events.filter((e) => e.line <= answersSeen[REQUESTS - 1].line);
  };

  it('the shared checker agrees: every answer preceded by a synced WAL write, ≥ 1 WAL sync per answer', () => {
    const check = checkSyncBeforeAck(sequentialPart(), isHttp2xx, isLiveWalFile);
    expect(check.acks).toBe(REQUESTS);
    expect(check.violations).toEqual([]);
    expect(check.walSyncs).toBeGreaterThanOrEqual(REQUESTS);
    expect(check.walWrites).toBeGreaterThanOrEqual(REQUESTS);
    const walSyncsInWindows = windows(sequentialPart()).flatMap((w) => {
      const from = w.request!.line;
      return run.events.filter((e) => isSync(e) && isLiveWalFile(e.path) && e.line > from && e.line < w.answer.line);
    });
    expect(walSyncsInWindows.length).toBeGreaterThanOrEqual(REQUESTS);
  });

  it('has teeth: the same trace without its syncs fails every answer', () => {
    const unsynced = sequentialPart().filter((e) => !isSync(e));
    const check = checkSyncBeforeAck(unsynced, isHttp2xx, isLiveWalFile);
    expect(check.acks).toBe(REQUESTS);
    expect(check.violations.length).toBe(REQUESTS);
    expect(windows(run.events.filter((e) => !isSync(e))).filter((w) => w.sync).length).toBe(0);
  });
});
