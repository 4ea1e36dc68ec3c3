/**
 * Simulated boxes for the fleet: each with its own identity (device id and secret) and its own
 * MQTT session, reporting a v2 status every `intervalMs` (±`jitter`) with figures that move like
 * a puskesmas's day; some go dark, some build a backlog, fill their disk or run a skewed clock.
 * Used by tests (small N, in-process) and by fleet-simulator-cli.ts (a process of its own, several
 * of them for the benchmark's 22,400 boxes).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { deviceFilters, encodeStatusFrame, topics, type BoxStatusV2 } from '../contract/index.ts';

export type SimBehaviour = 'normal' | 'dark' | 'backlog' | 'disk' | 'skew';

export interface SimBox {
  deviceId: string;
  secret: string;
  mqttUrl: string;
  behaviour?: SimBehaviour;
}

export interface SimOptions {
  intervalMs?: number;
  /** ± this fraction of the interval, drawn per report. */
  jitter?: number;
  /** A dark box stops within this long of its start. */
  darkWithinMs?: number;
  /** Connects spread over this long (a fleet does not start in one millisecond). */
  rampMs?: number;
  software?: string;
  seed?: number;
  /** Called on each report sent (the benchmark's latency probe). */
  onReport?(deviceId: string, status: BoxStatusV2): void;
}

/** Deterministic per box (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Behaviours for a fleet of n: 2% dark, 3% backlog, 1% disk, 1% skewed clock, the rest normal. */
export function assignBehaviour(i: number): SimBehaviour {
  const k = i % 100;
  return k < 2 ? 'dark' : k < 5 ? 'backlog' : k < 6 ? 'disk' : k < 7 ? 'skew' : 'normal';
}

const GiB = 2 ** 30;

class SimulatedBox {
  client: MqttClient | null = null;
  timer: NodeJS.Timeout | null = null;
  connected = false;
  connects = 0;
  sent = 0;
  private readonly rand: () => number;
  private readonly started = Date.now();
  private readonly bootId: string;
  private pending = 0;
  private oldestAt: number | null = null;
  private diskFreePct: number;
  private stopped = false;

  constructor(
    readonly box: SimBox,
    private readonly o: Required<Omit<SimOptions, 'onReport'>> & Pick<SimOptions, 'onReport'>,
    index: number,
  ) {
    this.rand = rng(o.seed * 100_003 + index);
    this.bootId = [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => Math.floor(this.rand() * 16).toString(16)).join('')).join('-');
    this.diskFreePct = box.behaviour === 'disk' ? 14 : 40 + this.rand() * 40;
  }

  start() {
    const delay = this.rand() * this.o.rampMs;
    this.timer = setTimeout(() => this.connect(), delay);
    if (this.box.behaviour === 'dark') setTimeout(() => this.goDark(), delay + this.rand() * this.o.darkWithinMs).unref();
  }

  private connect() {
    const c = mqtt.connect(this.box.mqttUrl, {
      clientId: this.box.deviceId,
      username: this.box.deviceId,
      password: this.box.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 120,
      connectTimeout: 30_000,
      // A fleet reconnecting after a broker restart spreads itself out, as the box's backoff does.
      reconnectPeriod: 2000 + Math.floor(this.rand() * 20_000),
    });
    this.client = c;
    c.on('connect', () => {
      this.connected = true;
      this.connects++;
      void c.subscribeAsync(deviceFilters(this.box.deviceId), { qos: 1 }).catch(() => {});
      this.report(true);
      this.schedule();
    });
    c.on('close', () => (this.connected = false));
    c.on('error', () => {});
  }

  private schedule() {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const wait = this.o.intervalMs * (1 + (this.rand() * 2 - 1) * this.o.jitter);
    this.timer = setTimeout(() => {
      this.report(false);
      this.schedule();
    }, wait);
  }

  status(hello: boolean): BoxStatusV2 {
    const now = Date.now();
    const r = this.rand;
    if (this.box.behaviour === 'backlog') {
      this.pending += 3 + Math.floor(r() * 5);
      this.oldestAt ??= now - 26 * 3_600_000;
    } else {
      this.pending = Math.floor(r() * 3);
      this.oldestAt = this.pending ? now - Math.floor(r() * 20_000) : null;
    }
    if (this.box.behaviour === 'disk') this.diskFreePct = Math.max(1, this.diskFreePct - 0.5);
    const total = 64 * GiB;
    const tickets = Math.floor(r() * 120);
    return {
      v: 2,
      kind: 'status',
      at: new Date(now).toISOString(),
      hello,
      pending: this.pending,
      parked: r() < 0.01 ? 1 : 0,
      bytesPending: this.pending * 600,
      oldestPendingAgeSeconds: this.oldestAt == null ? null : Math.round((now - this.oldestAt) / 1000),
      lastSyncAt: new Date(now - Math.floor(r() * 60_000)).toISOString(),
      lastError: null,
      sw: this.o.software,
      bootId: this.bootId,
      uptimeS: Math.round((now - this.started) / 1000) + 3600,
      uncleanStops: r() < 0.05 ? 1 : 0,
      disk: { free: Math.round((total * this.diskFreePct) / 100), total },
      mem: { box: Math.round((140 + r() * 60) * 2 ** 20), relay: Math.round((50 + r() * 30) * 2 ** 20) },
      load: Math.round(r() * 150) / 100,
      dbBytes: Math.round((300 + r() * 500) * 2 ** 20),
      backup: { at: new Date(now - Math.floor(r() * 20 * 3_600_000)).toISOString(), bytes: Math.round(200 * 2 ** 20 * (1 + r())), ok: true },
      clock: { trusted: this.box.behaviour !== 'skew', offsetMs: this.box.behaviour === 'skew' ? 180_000 + Math.floor(r() * 60_000) : Math.floor(r() * 400 - 200) },
      certExpiresAt: new Date(now + 200 * 86_400_000).toISOString(),
      relay: { calls: Math.floor(r() * 4), good: 0, restarts: 0 },
      queue: { tickets, served: Math.floor(tickets * 0.9), medianWaitS: 600 + Math.floor(r() * 1800) },
      storage: this.diskFreePct < 10 ? 'disk_low' : 'ok',
    };
  }

  report(hello: boolean) {
    if (!this.client || !this.connected || this.stopped) return;
    const s = this.status(hello);
    this.sent++;
    this.o.onReport?.(this.box.deviceId, s);
    this.client.publish(topics.status(this.box.deviceId), encodeStatusFrame(s), { qos: 1 });
  }

  /** Silent from now on: the connection is dropped without a word, as a power cut would. */
  goDark() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client?.end(true);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.client?.endAsync(true) ?? Promise.resolve();
  }
}

export interface Simulation {
  stats(): { boxes: number; connected: number; connects: number; sent: number };
  /** Makes one box go silent (tests, the benchmark's offline probe). */
  silence(deviceId: string): void;
  stop(): Promise<void>;
}

export function simulateFleet(boxes: SimBox[], opts: SimOptions = {}): Simulation {
  const o = { intervalMs: 60_000, jitter: 0.1, darkWithinMs: 10 * 60_000, rampMs: 30_000, software: '0.1.0', seed: 1, ...opts };
  const sims = boxes.map((b, i) => new SimulatedBox(b, o, i));
  for (const s of sims) s.start();
  return {
    stats: () => ({
      boxes: sims.length,
      connected: sims.filter((s) => s.connected).length,
      connects: sims.reduce((n, s) => n + s.connects, 0),
      sent: sims.reduce((n, s) => n + s.sent, 0),
    }),
    silence: (id) => sims.find((s) => s.box.deviceId === id)?.goDark(),
    async stop() {
      await Promise.all(sims.map((s) => s.stop()));
    },
  };
}
