/**
 * The relay's own process (started by relay-host.ts). Media forwarding gets an event loop and a
 * heap of its own: the box's database queries (10–50 ms in PGlite's WASM) and its garbage
 * collections no longer hold packets up, and a relay that fails takes no clinic data with it.
 * Consent is still decided by the box: this process asks, and hears of withdrawals at once.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type pino from 'pino';
import { createLog } from '../log.ts';
import { createRelay, emptyRelayStats, type Relay, type RelaySession } from './relay.ts';
import type { FromRelayProcess, ToRelayProcess } from './process-messages.ts';

const send = (m: FromRelayProcess) => {
  if (process.connected) process.send!(m, undefined, undefined, () => {});
};

/** Seconds between snapshots of the calls going on (what is lost of a call if this process dies). */
const CALL_SNAPSHOT_EVERY = 3;

let relay: Relay | null = null;
let log: pino.Logger | null = null;
const sessions = new Map<number, RelaySession>();
const consentWaiters = new Map<number, { resolve: (active: boolean) => void; reject: (err: Error) => void }>();
const consentListeners = new Set<(encounterId: string, active: boolean) => void>();
let asked = 0;

let lastShape = '';
/** Tells the box of a change in rooms, peer connections or calls before anything that follows from it. */
function pushStats(always = false) {
  if (!relay) return;
  const s = relay.stats();
  // Everything but the per-packet counters, which the periodic push carries.
  const shape = `${s.rooms}/${s.peerConnections}/${s.timer}/${s.calls}/${s.peerConnectionsCreated}/${s.refusedNoConsent}/${s.keyframeRequests}`;
  if (!always && shape === lastShape) return;
  lastShape = shape;
  send({ op: 'stats', stats: s });
}

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let gcMax = 0;
let gcTotal = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMax = Math.max(gcMax, e.duration);
    gcTotal += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

function start(config: Extract<ToRelayProcess, { op: 'init' }>) {
  log = createLog({ level: config.logLevel, base: { part: 'relay', pid: process.pid } });
  relay = createRelay(config.config, {
    log,
    // A database that cannot answer rejects: an offer is then refused, and a call in progress goes on.
    consentActive: (encounterId) =>
      new Promise<boolean>((resolve, reject) => {
        const id = ++asked;
        consentWaiters.set(id, { resolve, reject });
        send({ op: 'consent-ask', id, encounterId });
      }),
    onConsentChange: (listener) => {
      consentListeners.add(listener);
      return () => void consentListeners.delete(listener);
    },
    saveCall: async (record) => send({ op: 'call', record }),
  });
  // Counters (packets, bytes) for /metrics between changes; every few seconds, the calls going on.
  let ticks = 0;
  setInterval(() => {
    pushStats(true);
    if (++ticks % CALL_SNAPSHOT_EVERY === 0 && relay) send({ op: 'calls-in-progress', records: relay.callsInProgress() });
  }, 1000).unref();
  log.info({ pid: process.pid }, 'relay process ready');
  send({ op: 'ready' });
}

process.on('message', (m: ToRelayProcess) => {
  switch (m.op) {
    case 'init':
      if (!relay) start(m);
      return;
    case 'connect': {
      if (!relay) return;
      sessions.set(
        m.key,
        relay.connect(m.encounterId, m.role, (msg) => {
          pushStats();
          send({ op: 'out', key: m.key, msg });
        }),
      );
      break;
    }
    case 'msg':
      // One participant's failed message must not end everyone's calls with this process.
      sessions
        .get(m.key)
        ?.handle(m.msg)
        .catch((err) => log?.warn({ err, key: m.key, type: m.msg.type }, 'consultation message failed'));
      break;
    case 'leave':
      sessions.get(m.key)?.close();
      sessions.delete(m.key);
      break;
    case 'consent':
      for (const l of consentListeners) l(m.encounterId, m.active);
      break;
    case 'consent-answer': {
      const w = consentWaiters.get(m.id);
      consentWaiters.delete(m.id);
      if (m.failed) w?.reject(new Error('the box could not read consent'));
      else w?.resolve(m.active);
      return;
    }
    case 'figures': {
      const u = process.cpuUsage();
      send({
        op: 'figures',
        id: m.id,
        figures: {
          relay: relay?.stats() ?? emptyRelayStats(),
          cpuUs: u.user + u.system,
          rss: process.memoryUsage.rss(),
          loopDelayP99: loop.percentile(99) / 1e6,
          loopDelayMax: loop.max / 1e6,
          gcPauseMax: gcMax,
          gcPauseTotal: gcTotal,
        },
      });
      if (m.reset) {
        loop.reset();
        gcMax = 0;
        gcTotal = 0;
      }
      return;
    }
    case 'close':
      void stop();
      return;
  }
  pushStats();
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await relay?.close();
  // Exit once what was sent (the last calls' figures) has left: the last send's callback comes after all before it.
  if (process.connected) process.send!({ op: 'stats', stats: relay?.stats() ?? emptyRelayStats() } satisfies FromRelayProcess, undefined, undefined, () => process.exit(0));
  else process.exit(0);
  setTimeout(() => process.exit(0), 2000).unref();
}
// The box went away (stopped, or killed): media without its consent gate must not go on.
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => {}); // a Ctrl-C reaches the whole group: the box stops this process in its turn
