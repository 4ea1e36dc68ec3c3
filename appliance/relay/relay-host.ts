/**
 * The box's side of the relay process: starts it, passes each signaling session's messages to it
 * and back, answers its consent questions from the clinic database, keeps the call figures it
 * sends, and starts it again if it dies (the sessions are told their media stopped, and rejoin).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ClientMessage, Party, ServerMessage } from './protocol.ts';
import { emptyRelayStats, type MediaRelay, type RelayMetricFigures, type RelayConfig, type RelayDeps, type RelaySession, type RelayStats } from './relay.ts';
import type { FromRelayProcess, RelayProcessFigures, ToRelayProcess } from './process-messages.ts';
import type { CallRecord } from './quality.ts';
import { relayProcessEntry, type RelayEntry } from './relay-entry.ts';

/** Messages kept for a relay process that is starting; beyond this, a participant's messages are dropped. */
const MAX_QUEUED = 2000;
/** A process that stayed up this long was healthy: the next failure restarts it at once again. */
const HEALTHY_MS = 60_000;
/** How long /metrics and the bench wait for the relay process's figures. */
const FIGURES_TIMEOUT_MS = 2000;

export interface RelayProcessOptions {
  /** Level of the relay process's own pino log lines. */
  logLevel?: string;
  /** Where the relay process runs from; by default built once per box process (relay-entry.ts). */
  entry?: Promise<RelayEntry>;
  /** V8 flags of the relay process. */
  nodeFlags?: string[];
}

/**
 * V8 flags of the relay process: a 1 MB young generation keeps the packets' short-lived garbage
 * small (RSS at 10 calls: test/bench/relay.ts); the old-space cap is far above what 30 calls use (~50
 * MB) and only stops a leak from taking the box's memory: the process then dies and starts again.
 */
export const RELAY_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=128'];

class HostSession implements RelaySession {
  closed = false;
  constructor(
    readonly host: RelayProcess,
    readonly key: number,
    readonly encounterId: string,
    readonly role: Party,
    readonly sink: (msg: ServerMessage) => void,
  ) {}
  async handle(msg: ClientMessage) {
    if (!this.closed) this.host.post({ op: 'msg', key: this.key, msg });
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.host.leave(this);
  }
  deliver(msg: ServerMessage) {
    if (this.closed) return;
    try {
      this.sink(msg);
    } catch {
      /* the socket is going away */
    }
  }
}

export class RelayProcess implements MediaRelay {
  private child: ChildProcess | null = null;
  private ready = false;
  private queued: ToRelayProcess[] = [];
  private readonly sessions = new Map<number, HostSession>();
  private nextKey = 1;
  private nextFigures = 1;
  private readonly figureWaiters = new Map<number, (f: RelayProcessFigures | null) => void>();
  private latest = emptyRelayStats();
  /** Counters of the processes that came before this one (a restart does not reset /metrics). */
  private carried = emptyRelayStats();
  private closing = false;
  private restarts = 0;
  /** Failures since the relay process was last healthy: the restart delay grows with these. */
  private failures = 0;
  private readyAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly offConsent: (() => void) | undefined;
  private entry: Promise<RelayEntry>;
  /** The relay process's last snapshot of the calls going on. */
  private inProgress: CallRecord[] = [];
  /** Call records on their way into the database (awaited at close). */
  private readonly saving = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    readonly config: RelayConfig,
    private readonly deps: RelayDeps,
    private readonly opts: RelayProcessOptions = {},
  ) {
    this.log = deps.log;
    this.entry = opts.entry ?? relayProcessEntry();
    this.offConsent = deps.onConsentChange?.((encounterId, active) => this.post({ op: 'consent', encounterId, active }));
    void this.spawn();
  }

  /** The child's pid once it runs (tests kill it). */
  get pid() {
    return this.child?.pid;
  }

  private async spawn() {
    let entry: RelayEntry;
    try {
      entry = await this.entry;
      // A bundle removed under a long-running box (a /tmp cleaner): build it again.
      if (!existsSync(entry.file) && !this.opts.entry) {
        this.entry = relayProcessEntry({ rebuild: true });
        entry = await this.entry;
      }
    } catch (err) {
      this.log.error({ err }, 'relay process could not be prepared: consultations have no media');
      return;
    }
    if (this.closing) return;
    if (entry.bundleError) this.log.warn({ file: entry.file, reason: entry.bundleError }, 'relay process runs through tsx (esbuild could not bundle it): ~30 MB more memory');
    let child: ChildProcess;
    try {
      child = fork(entry.file, [], {
        execArgv: [...entry.execArgv, ...(this.opts.nodeFlags ?? RELAY_NODE_FLAGS)],
        // Two malloc arenas: the relay's threads otherwise each grow their own (~8 MB of RSS at 10 calls).
        env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (err) {
      this.log.error({ err }, 'relay process could not be started');
      this.scheduleRestart();
      return;
    }
    this.child = child;
    this.ready = false;
    child.on('message', (m: FromRelayProcess) => this.onMessage(child, m));
    child.on('error', (err) => {
      this.log.error({ err }, 'relay process error');
      // No process came to be (EAGAIN, EMFILE…): there will be no 'exit'.
      if (child.pid === undefined) this.onExit(child, null, null);
    });
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.send({ op: 'init', config: this.config, logLevel: this.opts.logLevel ?? 'info' } satisfies ToRelayProcess, (err) => {
      if (err) this.log.warn({ err }, 'relay process did not take its settings');
    });
  }

  private onMessage(from: ChildProcess, m: FromRelayProcess) {
    // A process that has ended may still have messages on the way: only its call records count.
    if (from !== this.child && m.op !== 'call') return;
    switch (m.op) {
      case 'ready':
        this.ready = true;
        this.readyAt = Date.now();
        for (const q of this.queued.splice(0)) from.send(q);
        return;
      case 'out':
        this.sessions.get(m.key)?.deliver(m.msg);
        return;
      case 'stats':
        this.latest = m.stats;
        return;
      case 'consent-ask':
        // Answered to the process that asked and to no other: a new process numbers its questions
        // from 1 again, and an old "yes" must never answer a new question.
        this.deps
          .consentActive(m.encounterId)
          .then(
            (active) => ({ op: 'consent-answer', id: m.id, active }) as const,
            () => ({ op: 'consent-answer', id: m.id, active: false, failed: true }) as const,
          )
          .then((answer) => {
            if (from === this.child && from.connected) from.send(answer satisfies ToRelayProcess);
          });
        return;
      case 'calls-in-progress':
        this.inProgress = m.records;
        return;
      case 'call': {
        // This call is over: its snapshot must not be saved a second time if the process dies.
        this.inProgress = this.inProgress.filter((r) => !(r.encounterId === m.record.encounterId && r.startedAt === m.record.startedAt));
        this.saveCall(m.record);
        return;
      }
      case 'figures':
        this.figureWaiters.get(m.id)?.({ ...m.figures, relay: this.add(m.figures.relay) });
        this.figureWaiters.delete(m.id);
        return;
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (this.child !== child) return;
    this.child = null;
    this.ready = false;
    for (const w of this.figureWaiters.values()) w(null);
    this.figureWaiters.clear();
    this.carried = this.add(this.latest);
    this.latest = emptyRelayStats();
    // The calls it was carrying, as far as its last snapshot: saved as failed.
    for (const record of this.inProgress.splice(0)) this.saveCall(record);
    if (this.closing) return;
    this.restarts++;
    if (this.readyAt && Date.now() - this.readyAt > HEALTHY_MS) this.failures = 0;
    this.readyAt = 0;
    this.log.error({ code, signal, restarts: this.restarts }, 'relay process ended: starting it again; calls in progress must reconnect');
    // What the new process must know: who is in which room. Their media stopped with the old one.
    this.queued = [];
    for (const s of this.sessions.values()) {
      s.deliver({ type: 'media', state: 'stopped', reason: 'failed' });
      this.queued.push({ op: 'connect', key: s.key, encounterId: s.encounterId, role: s.role });
    }
    this.scheduleRestart();
  }

  private saveCall(record: CallRecord) {
    const saved = Promise.resolve(this.deps.saveCall?.(record)).catch((err) => this.log.error({ err }, 'saving call quality failed'));
    this.saving.add(saved);
    void saved.finally(() => this.saving.delete(saved));
  }

  private scheduleRestart() {
    if (this.closing || this.restartTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
    this.failures++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.spawn();
    }, delay);
    this.restartTimer.unref();
  }

  /** Sends to the relay process, or keeps it until the process is ready. */
  post(m: ToRelayProcess) {
    if (this.closing) return;
    if (this.ready && this.child?.connected) this.child.send(m);
    else if (this.queued.length < MAX_QUEUED || m.op === 'connect' || m.op === 'leave') this.queued.push(m);
  }

  connect(encounterId: string, role: Party, sink: (msg: ServerMessage) => void): RelaySession {
    if (this.closing) throw new Error('relay closed');
    const session = new HostSession(this, this.nextKey++, encounterId, role, sink);
    this.sessions.set(session.key, session);
    this.post({ op: 'connect', key: session.key, encounterId, role });
    return session;
  }

  leave(session: HostSession) {
    this.sessions.delete(session.key);
    this.post({ op: 'leave', key: session.key });
  }

  stats(): RelayStats {
    return this.add(this.latest);
  }

  private add(s: RelayStats): RelayStats {
    const c = this.carried;
    return {
      rooms: s.rooms,
      peerConnections: s.peerConnections,
      timer: s.timer,
      calls: c.calls + s.calls,
      peerConnectionsCreated: c.peerConnectionsCreated + s.peerConnectionsCreated,
      refusedNoConsent: c.refusedNoConsent + s.refusedNoConsent,
      keyframeRequests: c.keyframeRequests + s.keyframeRequests,
      packetsForwarded: c.packetsForwarded + s.packetsForwarded,
      bytesForwarded: c.bytesForwarded + s.bytesForwarded,
    };
  }

  /** The relay process's last snapshot of the calls going on (what a crash would save). */
  callsSnapshot(): readonly CallRecord[] {
    return this.inProgress;
  }

  /** The relay process's figures now; `reset` starts its loop-delay and GC figures again after this reading. */
  figures(reset = false): Promise<RelayProcessFigures | null> {
    const child = this.child;
    if (!this.ready || !child?.connected) return Promise.resolve(null);
    const id = this.nextFigures++;
    return new Promise((resolve) => {
      // A relay process busy for seconds (or about to die) answers nothing: no figures, not a hang.
      const timer = setTimeout(() => {
        this.figureWaiters.delete(id);
        resolve(null);
      }, FIGURES_TIMEOUT_MS);
      this.figureWaiters.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      child.send({ op: 'figures', id, reset } satisfies ToRelayProcess);
    });
  }

  async metricsFigures(): Promise<RelayMetricFigures> {
    const f = await this.figures(true);
    return { relay: f?.relay ?? this.stats(), process: { restarts: this.restarts, figures: f } };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.offConsent?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const s of this.sessions.values()) s.closed = true;
    this.sessions.clear();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ op: 'close' } satisfies ToRelayProcess);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.child = null;
    // The last calls' figures, sent by the process as it closed, go into the database before it closes.
    await Promise.all([...this.saving]);
  }
}
