/**
 * The relay process of the capacity bench (bench/relay.ts): the box's relay alone, driven over IPC
 * (signaling) while media crosses loopback UDP. bench/relay.ts runs it from an esbuild bundle with
 * plain `node` (as a built box would run it): under tsx the loader's own thread and caches add
 * ~30 MB of RSS that is not the relay's.
 *
 * Besides CPU and RSS it reports what delays a packet inside this process: the event loop's delay
 * (a packet that arrives while the loop is busy waits that long) and garbage-collection pauses.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { createRelay, type RelaySession } from '../appliance/relay/relay.ts';
import type { ClientMessage, Party, ServerMessage } from '../appliance/relay/protocol.ts';

export type ToRelayChild =
  | { op: 'connect'; key: string; encounterId: string; role: Party }
  | { op: 'msg'; key: string; msg: ClientMessage }
  | { op: 'close'; key: string }
  | { op: 'stats'; id: number; reset: boolean };

export interface RelayChildStats {
  op: 'stats';
  id: number;
  cpuUs: number;
  rss: number;
  bytesForwarded: number;
  packetsForwarded: number;
  pcs: number;
  /** Since the last reset, in ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  gcPauseMax: number;
  gcPauseTotal: number;
}

export type FromRelayChild = { op: 'out'; key: string; msg: ServerMessage } | RelayChildStats;

const relay = createRelay({ hostAddresses: ['127.0.0.1'], restrictRemoteToHostAddresses: true, bitrateKbps: 1000 }, {
  log: pino({ level: 'warn' }), consentActive: async () => true,
});
const sessions = new Map<string, RelaySession>();
const send = (m: FromRelayChild) => { if (process.connected) process.send!(m, undefined, undefined, () => {}); };

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

process.on('error', () => {});
process.on('message', (m: ToRelayChild) => {
  if (m.op === 'connect') sessions.set(m.key, relay.connect(m.encounterId, m.role, (msg) => send({ op: 'out', key: m.key, msg })));
  else if (m.op === 'msg') void sessions.get(m.key)?.handle(m.msg);
  else if (m.op === 'close') {
    sessions.get(m.key)?.close();
    sessions.delete(m.key);
  } else if (m.op === 'stats') {
    const u = process.cpuUsage();
    const s = relay.stats();
    send({
      op: 'stats', id: m.id, cpuUs: u.user + u.system, rss: process.memoryUsage.rss(), bytesForwarded: s.bytesForwarded,
      packetsForwarded: s.packetsForwarded, pcs: s.peerConnections,
      loopDelayP99: loop.percentile(99) / 1e6, loopDelayMax: loop.max / 1e6, gcPauseMax: gcMax, gcPauseTotal: gcTotal,
    });
    if (m.reset) {
      loop.reset();
      gcMax = 0;
      gcTotal = 0;
    }
  }
});
process.on('disconnect', () => { void relay.close().then(() => process.exit(0)); });
