/**
 * The box side of the drain benchmarks, in a process of its own (a box and the hub are different
 * machines; in one process their work would queue behind each other). It fills a durable PGlite
 * outbox in a temp dir with generated records — created at the generator's times, spread over a
 * month as a real backlog is — says `ready`, drains on `go`, and says `drained` with the seconds.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { appendOutbox, type OutboxEntry } from '../../appliance/clinic/outbox.ts';
import { openDatabase } from '../../appliance/storage/database.ts';
import { GroupCommitDb } from '../../appliance/storage/group-commit.ts';
import { startSync, type SyncConfig } from '../../appliance/sync/index.ts';
import { generateRecords } from '../../central/testing/records.ts';

export interface DrainJob {
  records: number;
  seed: number;
  sync: SyncConfig;
}

type FromBox = { op: 'ready' } | { op: 'drained'; seconds: number; batches: number; cpuMs: number } | { op: 'error'; message: string };

/** Runs the box process for one drain; resolves with its seconds from `go` to an empty outbox. */
export async function drainInChildBox(job: DrainJob, beforeGo: () => void = () => {}): Promise<{ seconds: number; batches: number; cpuMs: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--drain-box'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await new Promise((resolve, reject) => {
      child.on('message', (m: FromBox) => {
        if (m.op === 'ready') {
          beforeGo();
          child.send({ op: 'go' });
        } else if (m.op === 'drained') resolve(m);
        else reject(new Error(`drain box: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`drain box exited (${code})`)));
      child.send({ op: 'job', job });
    });
  } finally {
    child.kill('SIGKILL');
  }
}

async function boxProcess() {
  const job = await new Promise<DrainJob>((res) => process.once('message', (m: { op: 'job'; job: DrainJob }) => res(m.job)));
  const dir = mkdtempSync(join(tmpdir(), 'simpul-drain-'));
  const send = (m: FromBox) => process.send!(m);
  try {
    const db = new GroupCommitDb(await openDatabase({ dataDir: dir, log: () => {} }));
    const recs = generateRecords(job.records, { seed: job.seed });
    for (let i = 0; i < recs.length; i += 500) {
      await db.transaction(async (tx) => {
        for (const r of recs.slice(i, i + 500)) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
      });
    }
    await db.query(
      `UPDATE outbox o SET created_at = r.at FROM jsonb_to_recordset($1::jsonb) AS r(type text, entity text, ev int, at timestamptz)
        WHERE o.type = r.type AND o.entity_id = r.entity AND o.entity_version = r.ev`,
      [JSON.stringify(recs.map((r) => ({ type: r.type, entity: r.entityId, ev: r.entityVersion, at: r.createdAt })))],
    );
    await new Promise<void>((res) => {
      process.on('message', (m: { op: string }) => m.op === 'go' && res());
      send({ op: 'ready' });
    });
    const profile = process.env.SIMPUL_BENCH_BOX_PROFILE ? await startProfile() : null;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const sync = await startSync({ db, log: pino({ level: process.env.SIMPUL_BENCH_BOX_LOG ?? 'silent' }), config: job.sync });
    // EXISTS stops at the first pending row: counting them all every few ms would slow the box itself.
    for (;;) {
      const { rows } = await db.query<{ pending: boolean }>(`SELECT EXISTS (SELECT 1 FROM outbox_pending) AS pending`);
      if (!rows[0].pending) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const { batchesSent } = await sync.stats();
    if (profile) writeFileSync(process.env.SIMPUL_BENCH_BOX_PROFILE!, JSON.stringify(await profile.stop()));
    send({ op: 'drained', seconds, batches: batchesSent, cpuMs: (cpu.user + cpu.system) / 1000 });
    await sync.close();
    await db.close();
  } catch (e) {
    send({ op: 'error', message: (e as Error).stack ?? String(e) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.disconnect();
}

/** A CPU profile of the drain alone (SIMPUL_BENCH_BOX_PROFILE=file.cpuprofile), for Chrome's DevTools. */
async function startProfile() {
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((res, rej) => session.post(method, (err, r) => (err ? rej(err) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return { stop: async () => ((await post('Profiler.stop')) as { profile: unknown }).profile };
}

if (process.argv.includes('--drain-box')) await boxProcess();
