/**
 * The box's job runner on a real (in-memory) box database: a job taken in twice runs once; a job
 * past its expiry on the box's clock is reported expired and not run; a failing action is reported
 * failed with its reason; a job found running at start (the box stopped under it) is reported
 * failed, not run again. Each state is a job_result record in the outbox, versioned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { JobRunner, type JobActions } from './runner.ts';

const log = pino({ level: 'silent' });
let db: GroupCommitDb;
let ran: string[];
const now = new Date('2026-12-03T08:00:00Z');
const actions = (): JobActions => ({
  backup: async () => (ran.push('backup'), { bytes: 123 }),
  restartRelay: async () => {
    ran.push('restart_relay');
    throw new Error('the relay process is not running');
  },
  diagnostics: async () => (ran.push('diagnostics'), {}),
  syncSettings: async () => (ran.push('sync_settings'), {}),
});
const item = (job: string, action: 'backup' | 'restart_relay', expiresAt = '2026-12-03T09:00:00Z') => ({
  id: crypto.randomUUID(),
  kind: 'job' as const,
  job,
  expiresAt,
  action: { action },
});
const results = async (job: string) =>
  (
    await db.query<{ entity_version: number; payload: { state: string; result?: unknown; error?: string } }>(
      `SELECT entity_version, payload FROM outbox WHERE type = 'job_result' AND entity_id = $1 ORDER BY entity_version`,
      [job],
    )
  ).rows.map((r) => ({ v: r.entity_version, ...r.payload }));

beforeEach(async () => {
  db = new GroupCommitDb(await openMemoryDatabase());
  ran = [];
});
afterEach(async () => {
  await db.close();
});

describe('the box’s job runner', () => {
  it('runs a job once however often it arrives, and reports running then done with the result', async () => {
    const runner = new JobRunner(db, actions(), log, () => now);
    const job = crypto.randomUUID();
    await runner.accept(item(job, 'backup'));
    await runner.accept(item(job, 'backup'));
    await runner.idle();
    await runner.accept(item(job, 'backup'));
    await runner.idle();
    expect(ran).toEqual(['backup']);
    const r = await results(job);
    expect(r.map((x) => [x.v, x.state])).toEqual([
      [1, 'running'],
      [2, 'done'],
    ]);
    expect(r[1].result).toMatchObject({ bytes: 123, ms: expect.any(Number) });
  });

  it('a job past its expiry on the box’s clock is reported expired and never run', async () => {
    const runner = new JobRunner(db, actions(), log, () => now);
    const job = crypto.randomUUID();
    await runner.accept(item(job, 'backup', '2026-12-03T07:59:59Z'));
    await runner.idle();
    expect(ran).toEqual([]);
    expect((await results(job)).map((x) => [x.v, x.state])).toEqual([[1, 'expired']]);
  });

  it('a failing action is reported failed with its reason', async () => {
    const runner = new JobRunner(db, actions(), log, () => now);
    const job = crypto.randomUUID();
    await runner.accept(item(job, 'restart_relay'));
    await runner.idle();
    const r = await results(job);
    expect(r.map((x) => [x.v, x.state])).toEqual([
      [1, 'running'],
      [2, 'failed'],
    ]);
    expect(r[1].error).toBe('the relay process is not running');
  });

  it('a job the box stopped under is reported failed at the next start, not run again', async () => {
    const job = crypto.randomUUID();
    await db.query(`INSERT INTO box_jobs (id, action, expires_at, state) VALUES ($1, '{"action":"backup"}', '2026-12-03T09:00:00Z', 'running')`, [job]);
    const runner = new JobRunner(db, actions(), log, () => now);
    await runner.start();
    await runner.idle();
    expect(ran).toEqual([]);
    const r = await results(job);
    expect(r.map((x) => [x.v, x.state])).toEqual([[2, 'failed']]);
    expect(r[0].error).toMatch(/stopped/);
  });
});
