/**
 * The box's side of the relay process: starts it, passes each signaling session's messages to it
 * and back, answers its consent questions from the clinic database, keeps the call figures it
 * sends, and starts it again if it dies (the sessions are told their media stopped, and rejoin).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { ClientMessage, Party, ServerMessage } from './protocol.ts';
import { emptyRelayStats, relayMetricsText, type MediaRelay, type RelayConfig, type RelayDeps, type RelaySession, type RelayStats } from './relay.ts';
import type { FromRelayProcess, RelayProcessFigures, ToRelayProcess } from './process-messages.ts';
import { relayProcessEntry, type RelayEntry } from './relay-entry.ts';

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
 * small (RSS at 10 calls: bench/relay.ts); the old-space cap is far above what 30 calls use (~50
 * MB) and only stops a leak from taking the box's memory: the process then dies and starts again.
 */
export const RELAY_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=128'];

class HostSession implements RelaySession {
  closed = false;
  constructor(readonly host: RelayProcess, readonly key: number, readonly encounterId: string, readonly role: Party, readonly sink: (msg: ServerMessage) => void) {}
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
    try { this.sink(msg); } catch { /* the socket is going away */ }
  }
}

export class RelayProcess implements MediaRelay {
  private child: ChildProcess | null = null;
  private ready = false;
  private queued: ToRelayProcess[] = [];
  private readonly sessions = new Map<number, HostSession>();
  private nextKey = 1;
  private nextFigures = 1;
  private readonly figureWaiters = new Map<number, (f: RelayProcessFigures) => void>();
  private latest = emptyRelayStats();
  /** Counters of the processes that came before this one (a restart does not reset /metrics). */
  private carried = emptyRelayStats();
  private closing = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly offConsent: (() => void) | undefined;
  private readonly entry: Promise<RelayEntry>;
  private readonly log: Logger;

  constructor(readonly config: RelayConfig, private readonly deps: RelayDeps, private readonly opts: RelayProcessOptions = {}) {
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
    } catch (err) {
      this.log.error({ err }, 'relay process could not be prepared: consultations have no media');
      return;
    }
    if (this.closing) return;
    const child = fork(entry.file, [], {
      execArgv: [...entry.execArgv, ...(this.opts.nodeFlags ?? RELAY_NODE_FLAGS)],
      // Two malloc arenas: the relay's threads otherwise each grow their own (~8 MB of RSS at 10 calls).
      env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = false;
    child.on('message', (m: FromRelayProcess) => this.onMessage(m));
    child.on('error', (err) => this.log.error({ err }, 'relay process error'));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.send({ op: 'init', config: this.config, logLevel: this.opts.logLevel ?? 'info' } satisfies ToRelayProcess);
  }

  private onMessage(m: FromRelayProcess) {
    switch (m.op) {
      case 'ready':
        this.ready = true;
        for (const q of this.queued.splice(0)) this.child?.send(q);
        return;
      case 'out':
        this.sessions.get(m.key)?.deliver(m.msg);
        return;
      case 'stats':
        this.latest = m.stats;
        return;
      case 'consent-ask':
        void this.deps.consentActive(m.encounterId).catch(() => false)
          .then((active) => this.post({ op: 'consent-answer', id: m.id, active }));
        return;
      case 'call':
        void this.deps.saveCall?.(m.record).catch((err) => this.log.error({ err }, 'saving call quality failed'));
        return;
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
    for (const w of this.figureWaiters.values()) w({ relay: this.stats(), cpuUs: 0, rss: 0, loopDelayP99: 0, loopDelayMax: 0, gcPauseMax: 0, gcPauseTotal: 0 });
    this.figureWaiters.clear();
    this.carried = this.add(this.latest);
    this.latest = emptyRelayStats();
    if (this.closing) return;
    this.restarts++;
    this.log.error({ code, signal, restarts: this.restarts }, 'relay process ended: starting it again; calls in progress must reconnect');
    // What the new process must know: who is in which room. Their media stopped with the old one.
    this.queued = [];
    for (const s of this.sessions.values()) {
      s.deliver({ type: 'media', state: 'stopped', reason: 'failed' });
      this.queued.push({ op: 'connect', key: s.key, encounterId: s.encounterId, role: s.role });
    }
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.restarts - 1, 7));
    this.restartTimer = setTimeout(() => { this.restartTimer = null; void this.spawn(); }, delay);
    this.restartTimer.unref();
  }

  /** Sends to the relay process, or keeps it until the process is ready. */
  post(m: ToRelayProcess) {
    if (this.closing) return;
    if (this.ready && this.child?.connected) this.child.send(m);
    else this.queued.push(m);
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
      rooms: s.rooms, peerConnections: s.peerConnections, timer: s.timer,
      calls: c.calls + s.calls, peerConnectionsCreated: c.peerConnectionsCreated + s.peerConnectionsCreated,
      refusedNoConsent: c.refusedNoConsent + s.refusedNoConsent, keyframeRequests: c.keyframeRequests + s.keyframeRequests,
      packetsForwarded: c.packetsForwarded + s.packetsForwarded, bytesForwarded: c.bytesForwarded + s.bytesForwarded,
    };
  }

  /** The relay process's figures now; `reset` starts its loop-delay and GC figures again after this reading. */
  figures(reset = false): Promise<RelayProcessFigures | null> {
    if (!this.ready || !this.child?.connected) return Promise.resolve(null);
    const id = this.nextFigures++;
    return new Promise((resolve) => {
      this.figureWaiters.set(id, resolve);
      this.child!.send({ op: 'figures', id, reset } satisfies ToRelayProcess);
    });
  }

  async metricsText(): Promise<string> {
    const f = await this.figures(true);
    const m = (name: string, help: string, type: 'gauge' | 'counter', v: number) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}\n`;
    return relayMetricsText(f?.relay ?? this.stats())
      + m('simpul_relay_process_up', 'Whether the relay process is running.', 'gauge', f ? 1 : 0)
      + m('simpul_relay_process_restarts_total', 'Times the relay process ended and was started again.', 'counter', this.restarts)
      + (f ? m('simpul_relay_process_resident_memory_bytes', 'Resident memory of the relay process.', 'gauge', f.rss)
        + m('simpul_relay_process_cpu_seconds_total', 'CPU time of the relay process.', 'counter', f.cpuUs / 1e6)
        + m('simpul_relay_event_loop_delay_p99_seconds', 'Relay event-loop delay, 99th percentile since the previous scrape.', 'gauge', f.loopDelayP99 / 1000) : '');
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
  }
}
