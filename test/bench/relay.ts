/**
 * Relay capacity: synthetic 1:1 consultations (each way VP8-sized ~600 kbit/s at 30 packets of
 * frames per second, Opus-sized ~32 kbit/s at 50 packets/s) sent by werift peers in this process
 * through the box's relay process, started as the box starts it (appliance/relay/relay-host.ts:
 * bundled, its V8 flags; signaling over IPC, media over loopback UDP). For each load:
 * relay CPU (% of one core), forwarded Mbit/s, CPU per forwarded Mbit/s, packet loss, one-way
 * latency through the relay p50/p99 (peer → relay → peer, both peers' stacks included; the
 * direct peer → peer figure at 1 call is the baseline it adds to), relay RSS.
 *
 *   npx tsx test/bench/relay.ts            (or `npm run bench -- relay`)
 *   RELAY_BENCH_LEVELS=1,5,10,20 RELAY_BENCH_SECONDS=5 RELAY_BENCH_JANUS=0 (relay only)
 *
 * Then the same loads through Janus (the issue's anchor, videoroom plugin; see test/bench/janus.ts),
 * printed right after, with relay CPU per Mbit/s ÷ Janus CPU per Mbit/s at each load.
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { SyntheticPeer, Inbox } from '../../appliance/relay/synthetic-peer.ts';
import type { Party } from '../../appliance/relay/protocol.ts';
import { RELAY_NODE_FLAGS as BOX_RELAY_FLAGS, RelayProcess } from '../../appliance/relay/relay-host.ts';
import type { RelaySession } from '../../appliance/relay/relay.ts';
import { printTable } from './table.ts';
import { printJanusComparison, runJanusBench } from './janus.ts';
import { sleep } from '../support/wait.ts';

/** V8 flags of the relay process: the box's own unless RELAY_BENCH_NODE_FLAGS says otherwise. */
const RELAY_NODE_FLAGS = process.env.RELAY_BENCH_NODE_FLAGS !== undefined ? process.env.RELAY_BENCH_NODE_FLAGS.split(' ').filter(Boolean) : BOX_RELAY_FLAGS;

/** The box's relay process as the box starts it (bundled, its flags), every offer consented. */
function startRelay() {
  return new RelayProcess(
    { hostAddresses: ['127.0.0.1'], restrictRemoteToHostAddresses: true, bitrateKbps: 1000 },
    {
      log: pino({ level: 'warn' }),
      consentActive: async () => true,
    },
    { logLevel: 'warn', nodeFlags: RELAY_NODE_FLAGS },
  );
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Call {
  id: string;
  peers: Record<Party, SyntheticPeer>;
  sessions: RelaySession[];
}

async function openCall(relay: RelayProcess, id: string): Promise<Call> {
  const peers = { patient: new SyntheticPeer(), doctor: new SyntheticPeer() };
  const sessions: RelaySession[] = [];
  for (const role of ['patient', 'doctor'] as Party[]) {
    const inbox = new Inbox();
    const session = relay.connect(id, role, inbox.push);
    sessions.push(session);
    await session.handle({ type: 'offer', sdp: await peers[role].offer() });
    await peers[role].answer((await inbox.next('answer', undefined, 20_000)).sdp);
    await peers[role].connected(20_000);
  }
  return { id, peers, sessions };
}

async function figures(relay: RelayProcess, reset = false) {
  const f = await relay.figures(reset);
  if (!f) throw new Error('the relay process is not running');
  return f;
}

/**
 * The latency baseline at the same load: `pairs` direct werift peer → peer calls (no relay), both
 * sides sending, so this process generates and receives as many packets as in the relayed run.
 */
async function directBaseline(pairs: number, seconds: number) {
  const all: SyntheticPeer[] = [];
  for (let i = 0; i < pairs; i++) {
    const a = new SyntheticPeer(),
      b = new SyntheticPeer();
    const offer = await a.offer();
    await b.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await b.pc.setLocalDescription(await b.pc.createAnswer());
    await sleep(300);
    await a.answer(b.pc.localDescription!.sdp);
    await a.connected();
    await b.connected();
    a.startSending();
    b.startSending();
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
  const levels = opts.levels ?? (process.env.RELAY_BENCH_LEVELS ?? '1,5,10,20,30,40').split(',').map(Number);
  const seconds = opts.seconds ?? Number(process.env.RELAY_BENCH_SECONDS ?? 5);
  // Baselines first, each alone: at N calls the direct pairs load this process as the relayed calls will.
  const baselines = new Map<number, { p50: number; p99: number }>();
  for (const level of levels) baselines.set(level, await directBaseline(level, seconds));
  const relay = startRelay();
  const calls: Call[] = [];
  const rows: (string | number)[][] = [];
  const cpuPerMbit = new Map<number, number>();
  let best = 0;
  try {
    for (const level of levels) {
      let setupFailed = false;
      while (calls.length < level) {
        const c = await openCall(relay, `bench-${calls.length}`).catch((e: Error) => {
          setupFailed = true;
          console.error(`call ${calls.length + 1}: ${e.message}`);
          return null;
        });
        if (!c) break;
        c.peers.patient.startSending();
        c.peers.doctor.startSending();
        calls.push(c);
      }
      if (setupFailed) {
        rows.push([level, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', 'call setup failed']);
        break;
      }
      await sleep(1500);
      const all = calls.flatMap((c) => [c.peers.patient, c.peers.doctor]);
      for (const p of all) {
        p.latencies.length = 0;
        p.recordLatency = true;
      }
      const sent0 = all.reduce((s, p) => s + p.sent.audio + p.sent.video, 0);
      const recv0 = all.reduce((s, p) => s + p.received.audio + p.received.video, 0);
      const s0 = await figures(relay, true);
      const here0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const s1 = await figures(relay);
      const wall = (performance.now() - t0) / 1000;
      const hereCpu = (process.cpuUsage(here0).user + process.cpuUsage(here0).system) / 1e6 / wall;
      const sent1 = all.reduce((s, p) => s + p.sent.audio + p.sent.video, 0);
      await sleep(300); // in flight
      const recv1 = all.reduce((s, p) => s + p.received.audio + p.received.video, 0);
      for (const p of all) p.recordLatency = false;
      const lat = all.flatMap((p) => p.latencies);
      const cpu = (s1.cpuUs - s0.cpuUs) / 1e6 / wall;
      const mbps = ((s1.relay.bytesForwarded - s0.relay.bytesForwarded) * 8) / wall / 1e6;
      const loss = Math.max(0, 1 - (recv1 - recv0) / Math.max(1, sent1 - sent0));
      const ok = cpu < 0.8 && loss < 0.005;
      if (ok) best = level;
      if (mbps) cpuPerMbit.set(level, (cpu * 100) / mbps);
      const base = baselines.get(level)!;
      rows.push([
        level,
        `${(cpu * 100).toFixed(0)}%`,
        mbps.toFixed(1),
        mbps ? ((cpu * 100) / mbps).toFixed(2) : '-',
        `${(loss * 100).toFixed(2)}%`,
        pct(lat, 50).toFixed(2),
        pct(lat, 99).toFixed(2),
        base.p99.toFixed(2),
        (pct(lat, 50) - base.p50).toFixed(2),
        (pct(lat, 99) - base.p99).toFixed(2),
        `${s1.loopDelayP99.toFixed(1)} / ${s1.loopDelayMax.toFixed(0)}`,
        s1.gcPauseMax.toFixed(1),
        Math.round(s1.rss / 2 ** 20),
        `${(hereCpu * 100).toFixed(0)}%`,
        ok ? 'yes' : 'no',
      ]);
      if (!ok && level > 1) break;
    }
  } finally {
    for (const c of calls) {
      for (const s of c.sessions) s.close();
      await c.peers.patient.close();
      await c.peers.doctor.close();
    }
    await relay.close();
  }
  printTable(
    `Relay capacity (werift, 1:1 calls, ~632 kbit/s each way; relay process: the box's, node ${RELAY_NODE_FLAGS.join(' ')}, bundled; added = through the relay − direct peer→peer at the same load)`,
    [
      'calls',
      'relay CPU (1 core)',
      'forwarded Mbit/s',
      'CPU % per Mbit/s',
      'loss',
      'one-way p50 ms',
      'p99 ms',
      'direct p99 ms',
      'added p50 ms',
      'added p99 ms',
      'relay loop delay p99 / max ms',
      'relay GC pause max ms',
      'relay RSS MB',
      'peers CPU',
      '<80% CPU, <0.5% loss',
    ],
    rows,
  );
  console.log(
    `\nLargest load within the goal (<80% of one core, <0.5% loss): ${best} concurrent consultations. Peers share one process: when "peers CPU" nears 100% the generator, not the relay, is the limit.`,
  );
  const janus = process.env.RELAY_BENCH_JANUS === '0' ? null : await runJanusBench({ levels, seconds });
  if (janus) printJanusComparison(janus, baselines, cpuPerMbit);
  return { best, rows, baselines, janus };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runRelayBench();
