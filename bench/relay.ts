/**
 * Relay capacity: synthetic 1:1 consultations (each way VP8-sized ~600 kbit/s at 30 packets of
 * frames per second, Opus-sized ~32 kbit/s at 50 packets/s) sent by werift peers in this process
 * through a relay in a child process (signaling over IPC; media over loopback UDP). For each load:
 * relay CPU (% of one core), forwarded Mbit/s, CPU per forwarded Mbit/s, packet loss, one-way
 * latency through the relay p50/p99 (peer → relay → peer, both peers' stacks included; the
 * direct peer → peer figure at 1 call is the baseline it adds to), relay RSS.
 *
 *   npx tsx bench/relay.ts            (or `npm run bench relay` once wired into bench/run.ts)
 *   RELAY_BENCH_LEVELS=1,5,10,20 RELAY_BENCH_SECONDS=5
 *
 * Then the same loads through Janus (the issue's anchor, videoroom plugin; see bench/janus.ts),
 * printed right after, with relay CPU per Mbit/s ÷ Janus CPU per Mbit/s at each load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createRelay, type RelaySession } from '../appliance/relay/relay.ts';
import { SyntheticPeer, Inbox } from '../appliance/relay/synthetic-peer.ts';
import type { ClientMessage, Party, ServerMessage } from '../appliance/relay/protocol.ts';
import { printTable } from './table.ts';
import { printJanusComparison, runJanusBench } from './janus.ts';

type ToChild = { op: 'connect'; key: string; encounterId: string; role: Party } | { op: 'msg'; key: string; msg: ClientMessage } | { op: 'close'; key: string } | { op: 'stats'; id: number };
type FromChild = { op: 'out'; key: string; msg: ServerMessage } | { op: 'stats'; id: number; cpuUs: number; rss: number; bytesForwarded: number; packetsForwarded: number; pcs: number };

/** The relay process. */
async function child() {
  const relay = createRelay({ hostAddresses: ['127.0.0.1'], restrictRemoteToHostAddresses: true, bitrateKbps: 1000 }, {
    log: pino({ level: 'warn' }), consentActive: async () => true,
  });
  const sessions = new Map<string, RelaySession>();
  const send = (m: FromChild) => { if (process.connected) process.send!(m, undefined, undefined, () => {}); };
  process.on('error', () => {});
  process.on('message', (m: ToChild) => {
    if (m.op === 'connect') sessions.set(m.key, relay.connect(m.encounterId, m.role, (msg) => send({ op: 'out', key: m.key, msg })));
    else if (m.op === 'msg') void sessions.get(m.key)?.handle(m.msg);
    else if (m.op === 'close') { sessions.get(m.key)?.close(); sessions.delete(m.key); }
    else if (m.op === 'stats') {
      const u = process.cpuUsage();
      const s = relay.stats();
      send({ op: 'stats', id: m.id, cpuUs: u.user + u.system, rss: process.memoryUsage().rss, bytesForwarded: s.bytesForwarded, packetsForwarded: s.packetsForwarded, pcs: s.peerConnections });
    }
  });
  process.on('disconnect', () => { void relay.close().then(() => process.exit(0)); });
}

class RelayProcess {
  readonly proc: ChildProcess;
  private inboxes = new Map<string, Inbox>();
  private statsWaiters = new Map<number, (s: Extract<FromChild, { op: 'stats' }>) => void>();
  private n = 0;
  constructor() {
    this.proc = fork(fileURLToPath(import.meta.url), ['--relay-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: FromChild) => {
      if (m.op === 'out') this.inboxes.get(m.key)?.push(m.msg);
      else this.statsWaiters.get(m.id)?.(m), this.statsWaiters.delete(m.id);
    });
  }
  connect(key: string, encounterId: string, role: Party) {
    const inbox = new Inbox();
    this.inboxes.set(key, inbox);
    this.proc.send({ op: 'connect', key, encounterId, role } satisfies ToChild);
    return inbox;
  }
  msg(key: string, msg: ClientMessage) { this.proc.send({ op: 'msg', key, msg } satisfies ToChild); }
  close(key: string) { this.proc.send({ op: 'close', key } satisfies ToChild); this.inboxes.delete(key); }
  stats() {
    const id = ++this.n;
    return new Promise<Extract<FromChild, { op: 'stats' }>>((resolve) => { this.statsWaiters.set(id, resolve); this.proc.send({ op: 'stats', id } satisfies ToChild); });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Call { id: string; peers: Record<Party, SyntheticPeer>; keys: Record<Party, string> }

async function openCall(relay: RelayProcess, id: string): Promise<Call> {
  const peers = { patient: new SyntheticPeer(), doctor: new SyntheticPeer() };
  const keys = { patient: `${id}:p`, doctor: `${id}:d` };
  for (const role of ['patient', 'doctor'] as Party[]) {
    const inbox = relay.connect(keys[role], id, role);
    relay.msg(keys[role], { type: 'offer', sdp: await peers[role].offer() });
    await peers[role].answer((await inbox.next('answer', undefined, 20_000)).sdp);
    await peers[role].connected(20_000);
  }
  return { id, peers, keys };
}

/** Direct werift peer → peer (no relay): the latency baseline. */
async function directBaseline(seconds: number) {
  const a = new SyntheticPeer(), b = new SyntheticPeer();
  const offer = await a.offer();
  await b.pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await b.pc.setLocalDescription(await b.pc.createAnswer());
  await sleep(300);
  await a.answer(b.pc.localDescription!.sdp);
  await a.connected(); await b.connected();
  a.startSending();
  await sleep(1000);
  b.recordLatency = true;
  await sleep(seconds * 1000);
  const l = b.latencies;
  await a.close(); await b.close();
  return { p50: pct(l, 50), p99: pct(l, 99) };
}

export async function runRelayBench(opts: { levels?: number[]; seconds?: number } = {}) {
  const levels = opts.levels ?? (process.env.RELAY_BENCH_LEVELS ?? '1,5,10,20,30').split(',').map(Number);
  const seconds = opts.seconds ?? Number(process.env.RELAY_BENCH_SECONDS ?? 5);
  const base = await directBaseline(seconds);
  const relay = new RelayProcess();
  const calls: Call[] = [];
  const rows: (string | number)[][] = [];
  const cpuPerMbit = new Map<number, number>();
  let best = 0;
  try {
    for (const level of levels) {
      let setupFailed = false;
      while (calls.length < level) {
        const c = await openCall(relay, `bench-${calls.length}`).catch((e: Error) => { setupFailed = true; console.error(`call ${calls.length + 1}: ${e.message}`); return null; });
        if (!c) break;
        c.peers.patient.startSending(); c.peers.doctor.startSending();
        calls.push(c);
      }
      if (setupFailed) {
        rows.push([level, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', 'call setup failed']);
        break;
      }
      await sleep(1500);
      const all = calls.flatMap((c) => [c.peers.patient, c.peers.doctor]);
      for (const p of all) { p.latencies.length = 0; p.recordLatency = true; }
      const sent0 = all.reduce((s, p) => s + p.sent.audio + p.sent.video, 0);
      const recv0 = all.reduce((s, p) => s + p.received.audio + p.received.video, 0);
      const s0 = await relay.stats();
      const here0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const s1 = await relay.stats();
      const wall = (performance.now() - t0) / 1000;
      const hereCpu = (process.cpuUsage(here0).user + process.cpuUsage(here0).system) / 1e6 / wall;
      const sent1 = all.reduce((s, p) => s + p.sent.audio + p.sent.video, 0);
      await sleep(300); // in flight
      const recv1 = all.reduce((s, p) => s + p.received.audio + p.received.video, 0);
      for (const p of all) p.recordLatency = false;
      const lat = all.flatMap((p) => p.latencies);
      const cpu = (s1.cpuUs - s0.cpuUs) / 1e6 / wall;
      const mbps = ((s1.bytesForwarded - s0.bytesForwarded) * 8) / wall / 1e6;
      const loss = Math.max(0, 1 - (recv1 - recv0) / Math.max(1, sent1 - sent0));
      const ok = cpu < 0.8 && loss < 0.005;
      if (ok) best = level;
      if (mbps) cpuPerMbit.set(level, (cpu * 100) / mbps);
      rows.push([level, `${(cpu * 100).toFixed(0)}%`, mbps.toFixed(1), mbps ? ((cpu * 100) / mbps).toFixed(2) : '-', `${(loss * 100).toFixed(2)}%`,
        pct(lat, 50).toFixed(2), pct(lat, 99).toFixed(2), (pct(lat, 50) - base.p50).toFixed(2), (pct(lat, 99) - base.p99).toFixed(2),
        Math.round(s1.rss / 2 ** 20), `${(hereCpu * 100).toFixed(0)}%`, ok ? 'yes' : 'no']);
      if (!ok && level > 1) break;
    }
  } finally {
    for (const c of calls) {
      relay.close(c.keys.patient); relay.close(c.keys.doctor);
      await c.peers.patient.close(); await c.peers.doctor.close();
    }
    relay.proc.disconnect();
  }
  printTable(`Relay capacity (werift, 1:1 calls, ~632 kbit/s each way; direct peer→peer baseline p50 ${base.p50.toFixed(2)} ms, p99 ${base.p99.toFixed(2)} ms)`,
    ['calls', 'relay CPU (1 core)', 'forwarded Mbit/s', 'CPU % per Mbit/s', 'loss', 'one-way p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'relay RSS MB', 'peers CPU', '<80% CPU, <0.5% loss'],
    rows);
  console.log(`\nLargest load within the goal (<80% of one core, <0.5% loss): ${best} concurrent consultations. Peers share one process: when "peers CPU" nears 100% the generator, not the relay, is the limit.`);
  const janus = await runJanusBench({ levels, seconds });
  if (janus) printJanusComparison(janus, base, cpuPerMbit);
  return { best, rows, baseline: base, janus };
}

if (process.argv.includes('--relay-child')) await child();
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runRelayBench();
