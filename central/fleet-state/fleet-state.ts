/**
 * Each box's state as the hub decides it. A status report makes a box online (it is buffered and
 * written with the others of the same second in one transaction: 22,400 boxes every 60 s are
 * ~370 reports/s, and one statement per report was the hub's cost); the hub's own sweep, on its
 * clock, makes a silent box stale and then offline, so an office sees a dark box within minutes
 * of its last report rather than when it comes back. Revoked comes from the registry.
 *
 * The figures of each report also go to the raw history (history/ rolls them up).
 */
import type { Logger } from 'pino';
import type { BoxStatus } from '../contract/index.ts';
import type { HubDb } from '../storage/db.ts';

export type BoxStateName = 'online' | 'stale' | 'offline' | 'never_seen' | 'revoked';

/**
 * Why a box is in its state, as a code: the console words it in the operator's language
 * (http/fleet-views.ts). `silent`'s length of silence is `since − last report`, so it is not kept.
 */
export const BOX_STATE_REASONS = ['reporting', 'reporting_again', 'missed_report', 'silent', 'revoked_in_registry', 'never_reported'] as const;
export type BoxStateReason = (typeof BOX_STATE_REASONS)[number];

export interface FleetStateOptions {
  /** The hub's clock (tests move it; no sleeps). */
  now?: () => Date;
  /** Silence after which a box is stale (it missed a report). Default 100 s. */
  staleAfterMs?: number;
  /** Silence after which a box is offline. Default 150 s: with a sweep every 15 s, shown offline within 165 s < 3 min. */
  offlineAfterMs?: number;
  /** How often the sweep runs; 0: never by itself (tests call sweep()). Default 15 s. */
  sweepEveryMs?: number;
  /** How often buffered reports are written; 0: only by flush(). Default 1 s. */
  flushEveryMs?: number;
}

export interface StateChange {
  deviceId: string;
  from: BoxStateName;
  to: BoxStateName;
  reason: BoxStateReason;
  at: string;
}

interface Pending {
  id: string;
  at: string;
  sw: string | null;
  boot: string | null;
  /** Written as it is (jsonb in the recordset), not as a JSON string inside the batch's JSON: no second escape. */
  status: BoxStatus;
  pending: number;
  parked: number;
  oldest: number | null;
  disk: number | null;
  mem: number | null;
  load: number | null;
  dbmb: number | null;
  clock: number | null;
  qt: number | null;
  qs: number | null;
  qw: number | null;
  rc: number | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The row of raw history a report gives (v1 reports only have the outbox figures). */
function figuresOf(deviceId: string, s: BoxStatus, at: Date): Pending {
  const v2 = s.v === 2 ? s : null;
  return {
    id: deviceId,
    at: at.toISOString(),
    sw: v2?.sw ?? null,
    boot: v2?.bootId ?? null,
    status: s,
    pending: s.pending,
    parked: s.parked,
    oldest: s.oldestPendingAgeSeconds == null ? null : Math.round(s.oldestPendingAgeSeconds),
    disk: v2 && v2.disk.total > 0 ? round1((100 * v2.disk.free) / v2.disk.total) : null,
    mem: v2 ? round1(v2.mem.box / 1_048_576) : null,
    load: v2?.load ?? null,
    dbmb: v2?.dbBytes == null ? null : round1(v2.dbBytes / 1_048_576),
    clock: v2?.clock.offsetMs == null ? null : round1(v2.clock.offsetMs / 1000),
    qt: v2?.queue?.tickets ?? null,
    qs: v2?.queue?.served ?? null,
    qw: v2?.queue?.medianWaitS ?? null,
    rc: v2?.relay?.calls ?? null,
  };
}

export class FleetState {
  readonly now: () => Date;
  readonly staleAfterMs: number;
  readonly offlineAfterMs: number;
  private buffer = new Map<string, Pending>();
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private listeners: ((c: StateChange[]) => void)[] = [];
  private reportListeners: ((deviceIds: string[]) => void)[] = [];
  private registryListeners: (() => void)[] = [];
  /** When the last report of any box arrived (the hub's self-watch). */
  lastReportAt: Date | null = null;
  reportsSinceStart = 0;

  constructor(
    private readonly db: HubDb,
    private readonly log: Logger,
    o: FleetStateOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    this.staleAfterMs = o.staleAfterMs ?? 100_000;
    this.offlineAfterMs = o.offlineAfterMs ?? 150_000;
    const sweepEvery = o.sweepEveryMs ?? 15_000;
    const flushEvery = o.flushEveryMs ?? 1000;
    if (sweepEvery > 0) this.timers.push(setInterval(() => void this.sweep().catch((err) => log.error({ err }, 'fleet state: sweep failed')), sweepEvery));
    if (flushEvery > 0) this.timers.push(setInterval(() => void this.flush().catch((err) => log.error({ err }, 'fleet state: reports not written')), flushEvery));
    for (const t of this.timers) t.unref();
  }

  /** Called for every state change (alerts listen). */
  onChange(fn: (c: StateChange[]) => void) {
    this.listeners.push(fn);
  }

  /** Called after each write of reports, with the boxes they came from (the console's live pages listen). */
  onReports(fn: (deviceIds: string[]) => void) {
    this.reportListeners.push(fn);
  }

  /** Called when a box is enrolled or revoked at this hub (the console's live pages listen: a new box shows before its first report). */
  onRegistry(fn: () => void) {
    this.registryListeners.push(fn);
  }

  /** The registry changed at this hub. A box enrolled by another process (the CLI) shows at its first report, or at the live pages' next periodic snapshot. */
  registryChanged() {
    for (const l of this.registryListeners) l();
  }

  /** A valid status report from an active box. Written at the next flush. */
  report(deviceId: string, status: BoxStatus) {
    const at = this.now();
    this.lastReportAt = at;
    this.reportsSinceStart++;
    // Two reports of one box before a flush: the newer one is kept (a second apart at most).
    this.buffer.set(deviceId, figuresOf(deviceId, status, at));
  }

  /** Writes the buffered reports: registry, state and raw history, one transaction. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => {});
    return run;
  }

  private async flushNow() {
    if (!this.buffer.size) return;
    const rows = [...this.buffer.values()];
    this.buffer = new Map();
    // Two documents: the reports whole, for last_status alone, and the figures without them, for
    // the state and history statements (each parses its parameter; measured: the report in every
    // one was ~40% of their time).
    const json = JSON.stringify(rows, (k, v) => (k === 'status' ? undefined : v));
    const reports = JSON.stringify(rows.map((r) => ({ id: r.id, at: r.at, status: r.status })));
    const changes = await this.db
      .transaction(async (tx) => {
        await tx.query(
          `UPDATE devices d SET last_seen_at = r.at, last_status = r.status
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, at timestamptz, status jsonb) WHERE d.id = r.id`,
          [reports],
        );
        const { rows: changed } = await tx.query<{ device_id: string; was: string | null; at: Date }>(
          `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, at timestamptz, sw text, boot text)),
              old AS (SELECT s.device_id, s.state FROM box_state s JOIN r ON r.id = s.device_id),
              up AS (
                INSERT INTO box_state (device_id, state, reason, since, last_report_at, sw, boot_id)
                SELECT id, 'online', 'reporting', at, at, sw, boot FROM r
                ON CONFLICT (device_id) DO UPDATE SET
                  state = 'online',
                  reason = CASE WHEN box_state.state = 'online' THEN box_state.reason ELSE 'reporting_again' END,
                  since = CASE WHEN box_state.state = 'online' THEN box_state.since ELSE EXCLUDED.since END,
                  last_report_at = EXCLUDED.last_report_at,
                  sw = coalesce(EXCLUDED.sw, box_state.sw), boot_id = coalesce(EXCLUDED.boot_id, box_state.boot_id)
                WHERE box_state.state <> 'revoked'
                RETURNING device_id, since)
         SELECT up.device_id, old.state AS was, up.since AS at FROM up LEFT JOIN old USING (device_id)
          WHERE old.state IS DISTINCT FROM 'online'`,
          [json],
        );
        await tx.query(
          `INSERT INTO status_raw (device_id, at, pending, parked, oldest_age_s, disk_free_pct, mem_box_mb, load, db_mb, clock_offset_s, queue_tickets, queue_served, queue_wait_s, relay_calls)
         SELECT id, at, pending, parked, oldest, disk, mem, load, dbmb, clock, qt, qs, qw, rc
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, at timestamptz, pending int, parked int, oldest int, disk real, mem real, load real, dbmb real, clock real, qt int, qs int, qw int, rc int)
         ON CONFLICT DO NOTHING`,
          [json],
        );
        return changed.map((c) => ({
          deviceId: c.device_id,
          from: (c.was ?? 'never_seen') as BoxStateName,
          to: 'online' as const,
          reason: c.was ? ('reporting_again' as const) : ('reporting' as const),
          at: new Date(c.at).toISOString(),
        }));
      })
      .catch((e) => {
        // Not written (the database is away): kept for the next flush unless a newer report came.
        for (const r of rows) if (!this.buffer.has(r.id)) this.buffer.set(r.id, r);
        throw e;
      });
    this.emit(changes);
    const ids = rows.map((r) => r.id);
    for (const l of this.reportListeners) l(ids);
  }

  /**
   * The hub's sweep: online → stale → offline by silence, and revoked boxes marked. Set-based:
   * one statement per transition whatever the fleet's size (index on state, last_report_at).
   */
  async sweep(): Promise<StateChange[]> {
    await this.flush();
    const now = this.now();
    const staleBefore = new Date(now.getTime() - this.staleAfterMs).toISOString();
    const offlineBefore = new Date(now.getTime() - this.offlineAfterMs).toISOString();
    const at = now.toISOString();
    const changes: StateChange[] = [];
    const move = async (sql: string, params: unknown[], to: BoxStateName) => {
      const { rows } = await this.db.query<{ device_id: string; was: string; reason: BoxStateReason }>(sql, params);
      for (const r of rows) changes.push({ deviceId: r.device_id, from: r.was as BoxStateName, to, reason: r.reason, at });
    };
    await move(
      `WITH r AS (SELECT d.id FROM devices d WHERE d.revoked_at IS NOT NULL),
            old AS (SELECT s.device_id, s.state FROM box_state s JOIN r ON r.id = s.device_id)
       INSERT INTO box_state (device_id, state, reason, since, last_report_at)
       SELECT id, 'revoked', 'revoked_in_registry', $1, $1 FROM r
       ON CONFLICT (device_id) DO UPDATE SET state = 'revoked', reason = EXCLUDED.reason, since = EXCLUDED.since WHERE box_state.state <> 'revoked'
       RETURNING device_id, (SELECT coalesce(old.state, 'never_seen') FROM old WHERE old.device_id = box_state.device_id) AS was, reason`,
      [at],
      'revoked',
    );
    await move(
      `UPDATE box_state s SET state = 'offline', since = $2, reason = 'silent'
        FROM box_state o WHERE o.device_id = s.device_id AND s.state IN ('online','stale') AND s.last_report_at < $1
       RETURNING s.device_id, o.state AS was, s.reason`,
      [offlineBefore, at],
      'offline',
    );
    await move(
      `UPDATE box_state s SET state = 'stale', since = $2, reason = 'missed_report'
        FROM box_state o WHERE o.device_id = s.device_id AND s.state = 'online' AND s.last_report_at < $1
       RETURNING s.device_id, o.state AS was, s.reason`,
      [staleBefore, at],
      'stale',
    );
    this.emit(changes);
    return changes;
  }

  private emit(changes: StateChange[]) {
    if (!changes.length) return;
    for (const c of changes)
      if (c.to === 'offline' || c.to === 'revoked') this.log.info({ deviceId: c.deviceId, from: c.from, to: c.to, reason: c.reason }, 'fleet state: box changed state');
    for (const l of this.listeners) l(changes);
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    return this.flush();
  }
}
