/**
 * Remote jobs on the box. The downlink hands a job in (`accept`, inside the downlink's chain):
 * it is written to box_jobs once by the job's id, and the downlink item is acknowledged at once;
 * the job then runs here, one at a time, outside that chain (a backup takes seconds and must not
 * hold up a hospital's answer). Its state goes back to the hub as `job_result` records through the
 * outbox (version 1: running, or expired when the box's clock says the job's time is over;
 * version 2: done or failed, with the result), so it reaches the hub durably however long the box
 * is offline, in order, and is shown there even after a power cut. A job found running at start
 * was cut off by a stop: it is reported failed, not run again.
 */
import type { Logger } from 'pino';
import type { Db, Queryable } from '../clinic/db.ts';
import { appendOutbox } from '../clinic/outbox.ts';
import type { DownlinkItem, JobAction } from '../../central/contract/index.ts';

type JobItem = Extract<DownlinkItem, { kind: 'job' }>;
type Result = Record<string, unknown>;

/** What the box can do for a job; each returns the result the operator sees (sizes, versions, …). */
export interface JobActions {
  backup(): Promise<Result>;
  restartRelay(): Promise<Result>;
  diagnostics(): Promise<Result>;
  syncSettings(change: { bandwidthKbps?: number; nightWindow?: string | null }): Promise<Result>;
}

export class JobRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly actions: JobActions,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Called after a job_result record is in the outbox (to send it now). */
    private readonly onRecorded: () => void = () => {},
  ) {}

  /** Jobs cut off by a stop are failed; queued ones run. */
  async start(): Promise<void> {
    const { rows } = await this.db.query<{ id: string }>(`SELECT id FROM box_jobs WHERE state = 'running'`);
    for (const { id } of rows) await this.finish(id, 'failed', { error: 'the box stopped while the job ran' });
    this.kick();
  }

  /** From the downlink: keep the job (once), run it soon. */
  async accept(item: JobItem): Promise<void> {
    await this.db.query(`INSERT INTO box_jobs (id, action, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [item.job, JSON.stringify(item.action), item.expiresAt]);
    this.kick();
  }

  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runQueued()
      .catch((err) => this.log.error({ err }, 'jobs: runner failed; queued jobs run at the next job or start'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no job runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async runQueued() {
    for (;;) {
      if (this.closed) return;
      const { rows } = await this.db.query<{ id: string; action: JobAction; expires_at: unknown }>(
        `SELECT id, action, expires_at FROM box_jobs WHERE state = 'queued' ORDER BY received_at, id LIMIT 1`,
      );
      const job = rows[0];
      if (!job) return;
      if (new Date(job.expires_at as string).getTime() <= this.now().getTime()) {
        await this.record(job.id, 'expired', 1, {});
        this.log.warn({ job: job.id, action: job.action.action }, 'jobs: a job arrived after its expiry; not run');
        continue;
      }
      await this.record(job.id, 'running', 1, {});
      const t = performance.now();
      let outcome: { state: 'done'; result: Result } | { state: 'failed'; error: string };
      try {
        outcome = { state: 'done', result: await this.run(job.action) };
      } catch (e) {
        outcome = { state: 'failed', error: ((e as Error).message ?? String(e)).slice(0, 500) };
      }
      if (outcome.state === 'done') await this.finish(job.id, 'done', { result: { ...outcome.result, ms: Math.round(performance.now() - t) } });
      else await this.finish(job.id, 'failed', { error: outcome.error });
      this.log.info({ job: job.id, action: job.action.action, state: outcome.state }, 'jobs: job finished');
    }
  }

  private run(a: JobAction): Promise<Result> {
    switch (a.action) {
      case 'backup':
        return this.actions.backup();
      case 'restart_relay':
        return this.actions.restartRelay();
      case 'diagnostics':
        return this.actions.diagnostics();
      case 'sync_settings':
        return this.actions.syncSettings({ bandwidthKbps: a.bandwidthKbps, nightWindow: a.nightWindow });
    }
  }

  private finish(id: string, state: 'done' | 'failed', more: { result?: Result; error?: string }) {
    return this.record(id, state, 2, more);
  }

  /** The box's state and the record for the hub, in one transaction. */
  private async record(id: string, state: 'running' | 'done' | 'failed' | 'expired', version: 1 | 2, more: { result?: Result; error?: string }) {
    await this.db.transaction(async (tx: Queryable) => {
      await tx.query(`UPDATE box_jobs SET state = $2, finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END WHERE id = $1`, [id, state]);
      await appendOutbox(tx, { type: 'job_result', entityId: id, entityVersion: version, payload: { id, version, state, ...more } });
    });
    this.onRecorded();
  }
}
