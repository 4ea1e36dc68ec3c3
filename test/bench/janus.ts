/**
 * The relay bench's anchor: the same synthetic 1:1 consultations through Janus WebRTC Gateway
 * (Debian package `janus`, videoroom plugin). Each side publishes its media into a room of two
 * and subscribes to the other's feed, so media is forwarded both ways without transcoding, as
 * our relay does (Janus needs two PeerConnections per side for that, our relay one).
 *
 * Janus never gathers ICE candidates on a loopback interface (its ice.c skips IFF_LOOPBACK, and
 * libnice then falls back to every other interface), so it runs in a network namespace of our
 * own with loopback and a veth pair whose one end has a private address (MEDIA_HOST), the only
 * address Janus may gather on. Packets to an address of the namespace itself are delivered
 * through loopback, as in the relay bench. The werift peers run in a child process in the same
 * namespace. Nothing touches the machine's other addresses or interfaces.
 *
 *   parent (bench process): namespace, config, Janus process, cleanup, table
 *   child (`--janus-child`, in the namespace): Janus API, peers, measurement
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JanusSession, VideoroomParticipant } from './janus-client.ts';
import { printTable } from './table.ts';
import { sleep } from '../support/wait.ts';

const JANUS_BIN = '/usr/bin/janus';
const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';
const JANUS_PORT = 8088; // inside our namespace, so it cannot clash with anything outside
const JANUS_URL = `http://127.0.0.1:${JANUS_PORT}/janus`;
const MEDIA_HOST = '10.99.0.1';

/** What the child measured at one load. */
export interface JanusLevel {
  calls: number;
  error?: string;
  cpu?: number; // share of one core
  mbps?: number; // RTP payload Mbit/s the receiving peers got
  loss?: number;
  p50?: number;
  p99?: number;
  rssBytes?: number;
  peersCpu?: number;
}

type FromChild = { op: 'level'; level: JanusLevel } | { op: 'done' } | { op: 'failed'; error: string };

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function janusInstalled() {
  return existsSync(JANUS_BIN) && existsSync(join(JANUS_LIB, 'plugins/libjanus_videoroom.so')) && existsSync(join(JANUS_LIB, 'transports/libjanus_http.so'));
}

/** A config folder with only the videoroom plugin and the HTTP transport (on 127.0.0.1). */
function writeConfig(dir: string) {
  for (const [kind, file] of [
    ['plugins', 'libjanus_videoroom.so'],
    ['transports', 'libjanus_http.so'],
  ]) {
    mkdirSync(join(dir, kind));
    symlinkSync(join(JANUS_LIB, kind, file), join(dir, kind, file));
  }
  mkdirSync(join(dir, 'none'));
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/none"
  loggers_folder = "${dir}/none"
  debug_level = 3
  session_timeout = 60
  interface = "${MEDIA_HOST}"
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  ice_enforce_list = "${MEDIA_HOST}"
  ignore_mdns = true
}
`,
  );
  writeFileSync(
    join(dir, 'janus.transport.http.jcfg'),
    `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${JANUS_PORT}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
`,
  );
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
}

/**
 * Runs the loads through Janus and returns what was measured, or null when Janus is not
 * installed or could not run (said on the console).
 */
export async function runJanusBench(opts: { levels: number[]; seconds: number }): Promise<JanusLevel[] | null> {
  if (!janusInstalled()) {
    console.log('\nJanus (the anchor) is not installed, so only the relay was measured. Install it with:\n  apt-get update && apt-get install -y janus');
    return null;
  }
  const netns = `simpul-janus-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'simpul-janus-'));
  let janus: ChildProcess | undefined;
  let child: ChildProcess | undefined;
  const levels: JanusLevel[] = [];
  // Interrupted (Ctrl-C, kill): the finally below never runs, so drop what we made now.
  const onSignal = (signal: NodeJS.Signals) => {
    for (const proc of [child, janus]) proc?.kill('SIGKILL');
    removeNetns(netns);
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    execFileSync('ip', ['netns', 'add', netns]);
    const inNetns = (...args: string[]) => execFileSync('ip', ['netns', 'exec', netns, 'ip', ...args]);
    inNetns('link', 'set', 'lo', 'up');
    inNetns('link', 'add', 'media0', 'type', 'veth', 'peer', 'name', 'media1');
    inNetns('addr', 'add', `${MEDIA_HOST}/32`, 'dev', 'media0');
    inNetns('link', 'set', 'media1', 'up'); // a veth end is only "running" when its peer is up
    inNetns('link', 'set', 'media0', 'up');
    writeConfig(dir);
    const log = openSync(join(dir, 'janus.log'), 'w');
    // `ip netns exec` execs janus in place, so this pid is Janus's own (the child reads its CPU).
    janus = spawn('ip', ['netns', 'exec', netns, JANUS_BIN, '-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'], { stdio: ['ignore', log, log] });
    closeSync(log);
    const janusExited = new Promise<void>((resolve) => janus!.once('exit', () => resolve()));
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--janus-child',
        JSON.stringify({ levels: opts.levels, seconds: opts.seconds, janusPid: janus.pid }),
      ],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const outcome = await new Promise<string | null>((resolve) => {
      child!.on('message', (m: FromChild) => {
        if (m.op === 'level') levels.push(m.level);
        else if (m.op === 'done') resolve(null);
        else resolve(m.error);
      });
      child!.once('exit', (code) => resolve(`bench child exited (${code})`));
      void janusExited.then(() => resolve('Janus exited'));
    });
    if (outcome) {
      const tail = readFileSync(join(dir, 'janus.log'), 'utf8').split('\n').slice(-15).join('\n');
      console.log(`\nJanus run failed: ${outcome}. Janus log, last lines:\n${tail}`);
      if (!levels.length) return null;
    }
    return levels;
  } catch (e) {
    console.log(`\nJanus run failed (the network namespace needs root): ${(e as Error).message}`);
    return null;
  } finally {
    await stop(child);
    await stop(janus);
    removeNetns(netns);
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/** Kills what is left in our namespace (only we started anything there), then deletes it with its veth pair. */
function removeNetns(netns: string) {
  try {
    for (const pid of execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean))
      process.kill(Number(pid), 'SIGKILL');
  } catch {
    /* never made */
  }
  try {
    execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  } catch {
    /* never made */
  }
}

async function stop(proc: ChildProcess | undefined) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(3000).then(() => false)])) return;
  proc.kill('SIGKILL');
  await exited;
}

/** Prints Janus's table in the relay table's shape, then relay ÷ Janus CPU per Mbit/s at each load. */
export function printJanusComparison(levels: JanusLevel[], baselines: Map<number, { p50: number; p99: number }>, relayCpuPerMbit: Map<number, number>) {
  const rows = levels.map((l) => {
    const baseline = baselines.get(l.calls);
    if (l.error || !baseline) return [l.calls, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', l.error ?? 'no baseline'];
    const ok = l.cpu! < 0.8 && l.loss! < 0.005;
    return [
      l.calls,
      `${(l.cpu! * 100).toFixed(0)}%`,
      l.mbps!.toFixed(1),
      l.mbps ? ((l.cpu! * 100) / l.mbps).toFixed(2) : '-',
      `${(l.loss! * 100).toFixed(2)}%`,
      l.p50!.toFixed(2),
      l.p99!.toFixed(2),
      (l.p50! - baseline.p50).toFixed(2),
      (l.p99! - baseline.p99).toFixed(2),
      Math.round(l.rssBytes! / 2 ** 20),
      `${(l.peersCpu! * 100).toFixed(0)}%`,
      ok ? 'yes' : 'no',
    ];
  });
  printTable(
    'Janus anchor (Janus 1.1 videoroom, same calls and load; each side publishes and subscribes to the other, 4 PeerConnections per call)',
    [
      'calls',
      'Janus CPU (1 core)',
      'forwarded Mbit/s',
      'CPU % per Mbit/s',
      'loss',
      'one-way p50 ms',
      'p99 ms',
      'added p50 ms',
      'added p99 ms',
      'Janus RSS MB',
      'peers CPU',
      '<80% CPU, <0.5% loss',
    ],
    rows,
  );
  const ratios = levels.flatMap((l) => {
    const relay = relayCpuPerMbit.get(l.calls);
    if (l.error || relay === undefined || !l.mbps || !l.cpu) return [];
    return [`${l.calls} calls ${(relay / ((l.cpu * 100) / l.mbps)).toFixed(2)}×`];
  });
  console.log(`\nRelay CPU per Mbit/s ÷ Janus CPU per Mbit/s (goal ≤ 3×): ${ratios.join(', ') || 'no load measured by both'}.`);
}

/** The child, inside the namespace: Janus API, peers and measurement. */
async function child(args: { levels: number[]; seconds: number; janusPid: number }) {
  const send = (m: FromChild) =>
    new Promise<void>((resolve) => {
      if (process.connected) process.send!(m, undefined, undefined, () => resolve());
      else resolve();
    });
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  // utime + stime of all of Janus's threads (fields 14 and 15; the name before may hold spaces).
  const janusCpuSeconds = () => {
    const fields = readFileSync(`/proc/${args.janusPid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  };
  const janusRss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${args.janusPid}/status`, 'utf8'))![1]) * 1024;

  let session: JanusSession | undefined;
  const calls: VideoroomParticipant[][] = [];
  try {
    const ready = Date.now() + 15_000;
    // The pid must be Janus's, not a wrapper's, or its CPU would read as nothing.
    while (readFileSync(`/proc/${args.janusPid}/comm`, 'utf8').trim() !== 'janus') {
      if (Date.now() > ready) throw new Error(`process ${args.janusPid} is not janus`);
      await sleep(50);
    }
    while (!session) {
      session = await JanusSession.create(JANUS_URL).catch(async (e: Error) => {
        if (Date.now() > ready) throw new Error(`Janus API not up in 15 s: ${e.message}`);
        await sleep(100);
        return undefined;
      });
    }
    const admin = await session.attach('janus.plugin.videoroom');
    const openCall = async (room: number) => {
      // As our relay bench: no periodic FIR, a 1 Mbit/s cap, nothing but Opus and VP8.
      await session!.message(admin, { request: 'create', room, publishers: 2, bitrate: 1_000_000, fir_freq: 0, audiocodec: 'opus', videocodec: 'vp8' });
      const sides = [new VideoroomParticipant(session!, room, 'patient', MEDIA_HOST), new VideoroomParticipant(session!, room, 'doctor', MEDIA_HOST)];
      calls.push(sides);
      for (const side of sides) await side.publish();
      await sides[0].subscribe(sides[1].feedId);
      await sides[1].subscribe(sides[0].feedId);
      for (const side of sides) side.sender.startSending();
    };

    for (const level of args.levels) {
      let setupError = '';
      while (calls.length < level && !setupError)
        await openCall(calls.length + 1).catch((e: Error) => {
          setupError = e.message;
        });
      if (setupError) {
        console.error(`Janus call ${calls.length}: ${setupError}`);
        await send({ op: 'level', level: { calls: level, error: 'call setup failed' } });
        break;
      }
      await sleep(1500);
      const sides = calls.flat();
      for (const s of sides) {
        s.receiver.latencies.length = 0;
        s.receiver.recordLatency = true;
      }
      const sent = () => sides.reduce((n, s) => n + s.sender.sent.audio + s.sender.sent.video, 0);
      const received = () => sides.reduce((n, s) => n + s.receiver.received.audio + s.receiver.received.video, 0);
      const receivedBytes = () => sides.reduce((n, s) => n + s.receiver.received.audioBytes + s.receiver.received.videoBytes, 0);
      const sent0 = sent(),
        recv0 = received(),
        bytes0 = receivedBytes(),
        cpu0 = janusCpuSeconds();
      const here0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(args.seconds * 1000);
      const cpu1 = janusCpuSeconds(),
        bytes1 = receivedBytes(),
        sent1 = sent();
      const wall = (performance.now() - t0) / 1000;
      const here = process.cpuUsage(here0);
      await sleep(300); // in flight
      const recv1 = received();
      for (const s of sides) s.receiver.recordLatency = false;
      const lat = sides.flatMap((s) => s.receiver.latencies);
      await send({
        op: 'level',
        level: {
          calls: level,
          cpu: (cpu1 - cpu0) / wall,
          mbps: ((bytes1 - bytes0) * 8) / wall / 1e6,
          loss: Math.max(0, 1 - (recv1 - recv0) / Math.max(1, sent1 - sent0)),
          p50: pct(lat, 50),
          p99: pct(lat, 99),
          rssBytes: janusRss(),
          peersCpu: (here.user + here.system) / 1e6 / wall,
        },
      });
    }
    await send({ op: 'done' });
  } catch (e) {
    await send({ op: 'failed', error: (e as Error).message });
  } finally {
    for (const sides of calls) for (const side of sides) await side.close();
    await session?.destroy();
    process.exit(0);
  }
}

if (process.argv.includes('--janus-child')) await child(JSON.parse(process.argv[process.argv.indexOf('--janus-child') + 1]));
