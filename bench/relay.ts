/**
 * Relay capacity: synthetic 1:1 consultations (each way VP8-sized ~600 kbit/s at 30 packets of
 * frames per second, Opus-sized ~32 kbit/s at 50 packets/s) sent by werift peers in this process
 * through a relay in a child process (signaling over IPC; media over loopback UDP). For each load:
 * relay CPU (% of one core), forwarded Mbit/s, CPU per forwarded Mbit/s, packet loss, one-way
 * latency through the relay p50/p99 (peer → relay → peer, both peers' stacks included; the
 * direct peer → peer figure at 1 call is the baseline it adds to), relay RSS.
 *
 *   npx tsx bench/relay.ts            (or `npm run bench relay` once wired into bench/run.ts)
 *   RELAY_BENCH_LEVELS=1,5,10,20 RELAY_BENCH_SECONDS=5 RELAY_BENCH_JANUS=0 (relay only)
 *
 * Then the same loads through Janus (the issue's anchor, videoroom plugin; see bench/janus.ts),
 * printed right after, with relay CPU per Mbit/s ÷ Janus CPU per Mbit/s at each load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SyntheticPeer, Inbox } from '../appliance/relay/synthetic-peer.ts';
import type { ClientMessage, Party } from '../appliance/relay/protocol.ts';
import type { FromRelayChild, RelayChildStats, ToRelayChild } from './relay-child.ts';
import { printTable } from './table.ts';
import { printJanusComparison, runJanusBench } from './janus.ts';

/**
 * V8 flags of the relay process (RELAY_BENCH_NODE_FLAGS). A 1 MB young generation: at 10 calls
 * 111 MB of RSS instead of 136 at about the same CPU. Measured and not taken: a 40 MB old space
 * or --optimize-for-size (~92 MB, but 20–40% more CPU per Mbit/s), --lite-mode (74 MB, 81% of a
 * core instead of 45%).
 */
const RELAY_NODE_FLAGS = (process.env.RELAY_BENCH_NODE_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean);

/** bench/relay-child.ts bundled into one file for plain `node` (no tsx loader in the measured process). */
async function bundleRelayChild(dir: string) {
  const outfile = join(dir, 'relay-child.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./relay-child.ts', import.meta.url))], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    // Some dependencies are CommonJS and require() Node's modules.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

class RelayProcess {
  readonly proc: ChildProcess;
  private inboxes = new Map<string, Inbox>();
  private statsWaiters = new Map<number, (s: RelayChildStats) => void>();
  private n = 0;
  constructor(file: string) {
    this.proc = fork(file, [], { execArgv: RELAY_NODE_FLAGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: FromRelayChild) => {
      if (m.op === 'out') this.inboxes.get(m.key)?.push(m.msg);
      else this.statsWaiters.get(m.id)?.(m), this.statsWaiters.delete(m.id);
    });
  }
  connect(key: string, encounterId: string, role: Party) {
    const inbox = new Inbox();
    this.inboxes.set(key, inbox);
    this.proc.send({ op: 'connect', key, encounterId, role } satisfies ToRelayChild);
    return inbox;
  }
  msg(key: string, msg: ClientMessage) { this.proc.send({ op: 'msg', key, msg } satisfies ToRelayChild); }
  close(key: string) { this.proc.send({ op: 'close', key } satisfies ToRelayChild); this.inboxes.delete(key); }
  /** `reset`: the loop-delay and GC figures start again after this reading. */
  stats(reset = false) {
    const id = ++this.n;
    return new Promise<RelayChildStats>((resolve) => { this.statsWaiters.set(id, resolve); this.proc.send({ op: 'stats', id, reset } satisfies ToRelayChild); });
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

/**
 * The latency baseline at the same load: `pairs` direct werift peer → peer calls (no relay), both
 * sides sending, so this process generates and receives as many packets as in the relayed run.
 */
async function directBaseline(pairs: number, seconds: number) {
  const all: SyntheticPeer[] = [];
  for (let i = 0; i < pairs; i++) {
    const a = new SyntheticPeer(), b = new SyntheticPeer();
    const offer = await a.offer();
    await b.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await b.pc.setLocalDescription(await b.pc.createAnswer());
    await sleep(300);
    await a.answer(b.pc.localDescription!.sdp);
    await a.connected(); await b.connected();
    a.startSending(); b.startSending();
    all.push(a, b);
  }
  await sleep(1000);
  for (const p of all) p.recordLatency = true;
  await sleep(seconds * 1000);
  const l = all.flatMap((p) => p.latencies);
  for (const p of all) await p.close();
  return { p50: pct(l, 50), p99: pct(l, 99) };
}

export async function runRelayBench(opts: { levels?: number[]; seconds?: number } = {}) {
  const levels = opts.levels ?? (process.env.RELAY_BENCH_LEVELS ?? '1,5,10,20,30').split(',').map(Number);
  const seconds = opts.seconds ?? Number(process.env.RELAY_BENCH_SECONDS ?? 5);
  // Baselines first, each alone: at N calls the direct pairs load this process as the relayed calls will.
  const baselines = new Map<number, { p50: number; p99: number }>();
  for (const level of levels) baselines.set(level, await directBaseline(level, seconds));
  const bundleDir = mkdtempSync(join(tmpdir(), 'simpul-relay-bench-'));
  const relay = new RelayProcess(await bundleRelayChild(bundleDir));
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
        rows.push([level, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', 'call setup failed']);
        break;
      }
      await sleep(1500);
      const all = calls.flatMap((c) => [c.peers.patient, c.peers.doctor]);
      for (const p of all) { p.latencies.length = 0; p.recordLatency = true; }
      const sent0 = all.reduce((s, p) => s + p.sent.audio + p.sent.video, 0);
      const recv0 = all.reduce((s, p) => s + p.received.audio + p.received.video, 0);
      const s0 = await relay.stats(true);
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
      const base = baselines.get(level)!;
      rows.push([level, `${(cpu * 100).toFixed(0)}%`, mbps.toFixed(1), mbps ? ((cpu * 100) / mbps).toFixed(2) : '-', `${(loss * 100).toFixed(2)}%`,
        pct(lat, 50).toFixed(2), pct(lat, 99).toFixed(2), base.p99.toFixed(2), (pct(lat, 50) - base.p50).toFixed(2), (pct(lat, 99) - base.p99).toFixed(2),
        `${s1.loopDelayP99.toFixed(1)} / ${s1.loopDelayMax.toFixed(0)}`, s1.gcPauseMax.toFixed(1), Math.round(s1.rss / 2 ** 20), `${(hereCpu * 100).toFixed(0)}%`, ok ? 'yes' : 'no']);
      if (!ok && level > 1) break;
    }
  } finally {
    for (const c of calls) {
      relay.close(c.keys.patient); relay.close(c.keys.doctor);
      await c.peers.patient.close(); await c.peers.doctor.close();
    }
    relay.proc.disconnect();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  printTable(`Relay capacity (werift, 1:1 calls, ~632 kbit/s each way; relay process: node ${RELAY_NODE_FLAGS.join(' ')}, bundled; added = through the relay − direct peer→peer at the same load)`,
    ['calls', 'relay CPU (1 core)', 'forwarded Mbit/s', 'CPU % per Mbit/s', 'loss', 'one-way p50 ms', 'p99 ms', 'direct p99 ms', 'added p50 ms', 'added p99 ms', 'relay loop delay p99 / max ms', 'relay GC pause max ms', 'relay RSS MB', 'peers CPU', '<80% CPU, <0.5% loss'],
    rows);
  console.log(`\nLargest load within the goal (<80% of one core, <0.5% loss): ${best} concurrent consultations. Peers share one process: when "peers CPU" nears 100% the generator, not the relay, is the limit.`);
  const janus = process.env.RELAY_BENCH_JANUS === '0' ? null : await runJanusBench({ levels, seconds });
  if (janus) printJanusComparison(janus, baselines, cpuPerMbit);
  return { best, rows, baselines, janus };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runRelayBench();
