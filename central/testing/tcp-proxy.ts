/**
 * A user-space TCP proxy between a box and its broker, for tests and benchmarks that spoil the
 * link (netem is not available here): `cut()` drops every connection and refuses new ones until
 * `restore()`; `stall(ms)` holds all data both ways without closing anything; `shape()` limits
 * the rate and adds a one-way delay per direction (64 kbit/s and 300 ms each way is a 2G link
 * with a 600 ms round trip). The rate is the link's: all connections one way share it, as they
 * share a modem. Counts bytes each way.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkShape {
  /** Bits per second each way; 0 for no limit. */
  rateBitsPerSec: number;
  /** Added one way, in ms. */
  delayMs: number;
}

export interface TcpProxy {
  port: number;
  url: string;
  bytesUp: number;
  bytesDown: number;
  cut(): void;
  restore(): void;
  /** Holds all data both ways for `ms` (connections stay open), then lets it through. */
  stall(ms: number): void;
  /** Limits rate and adds delay from now on; null: a plain loopback link again. */
  shape(s: LinkShape | null): void;
  close(): Promise<void>;
}

interface LinkState {
  shape: LinkShape | null;
  stalledUntil: number;
}

/** One direction of the link: when its last queued byte has been serialised at the rate. */
interface Wire {
  busyUntil: number;
}

/** Above this much data queued in one direction, the sender is paused (TCP pushes back). */
const HIGH_WATER = 64 * 1024;

/** One direction of one connection: chunks leave at their time, in order. */
class Lane {
  private queue: { chunk: Buffer; at: number }[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private onEmpty: (() => void) | null = null;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly link: LinkState,
    private readonly wire: Wire,
  ) {}

  push(chunk: Buffer) {
    const now = performance.now();
    if (!this.link.shape && now >= this.link.stalledUntil && !this.queue.length) {
      if (this.dst.writable) this.dst.write(chunk);
      return;
    }
    const { rateBitsPerSec = 0, delayMs = 0 } = this.link.shape ?? {};
    // Serialisation at the rate (after whatever went before it this way), then the propagation delay.
    this.wire.busyUntil = Math.max(now, this.wire.busyUntil) + (rateBitsPerSec ? (chunk.length * 8 * 1000) / rateBitsPerSec : 0);
    this.queue.push({ chunk, at: this.wire.busyUntil + delayMs });
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER) this.src.pause();
    this.pump();
  }

  /** Called when the link changes (a stall ends early, shaping is lifted). */
  pump() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = performance.now();
    while (this.queue.length && now >= this.link.stalledUntil && this.queue[0].at <= now) {
      const { chunk } = this.queue.shift()!;
      this.queued -= chunk.length;
      if (this.dst.writable) this.dst.write(chunk);
    }
    if (this.queued <= HIGH_WATER && this.src.isPaused()) this.src.resume();
    if (!this.queue.length && this.onEmpty) {
      const done = this.onEmpty;
      this.onEmpty = null;
      done();
    }
    if (this.queue.length) this.timer = setTimeout(() => this.pump(), Math.max(1, Math.max(this.queue[0].at, this.link.stalledUntil) - now));
  }

  /** The sender has closed: `done` runs once what it sent has crossed the link. */
  drainThen(done: () => void) {
    if (!this.queue.length || this.dst.destroyed) return done();
    this.onEmpty = done;
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.queue = [];
    this.onEmpty = null;
  }
}

export async function startTcpProxy(target: { host: string; port: number }, scheme = 'mqtt'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const lanes = new Set<Lane>();
  let down = false;
  const link: LinkState = { shape: null, stalledUntil: 0 };
  const upWire: Wire = { busyUntil: 0 };
  const downWire: Wire = { busyUntil: 0 };
  const state = { bytesUp: 0, bytesDown: 0 };
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const up = new Lane(client, upstream, link, upWire);
    const downLane = new Lane(upstream, client, link, downWire);
    lanes.add(up).add(downLane);
    client.on('data', (d) => {
      state.bytesUp += d.length;
      up.push(d);
    });
    upstream.on('data', (d) => {
      state.bytesDown += d.length;
      downLane.push(d);
    });
    const teardown = () => {
      up.stop();
      downLane.stop();
      lanes.delete(up);
      lanes.delete(downLane);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // A side that closes normally closes the other only once what it sent has crossed the link
    // (on a slow link, seconds later), as a real link would deliver it; an error closes both now.
    const closeAfter = (lane: Lane, other: Socket) => () =>
      lane.drainThen(() => {
        if (other.destroyed) return teardown();
        other.end();
        setTimeout(teardown, 5000).unref(); // in case the other side never closes its half
      });
    client.on('error', teardown).on('close', closeAfter(up, upstream));
    upstream.on('error', teardown).on('close', closeAfter(downLane, client));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as { port: number }).port;
  const repump = () => {
    for (const l of lanes) l.pump();
  };
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    get bytesUp() {
      return state.bytesUp;
    },
    get bytesDown() {
      return state.bytesDown;
    },
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
      // What was queued on the link is lost with the connections: it no longer holds the wire.
      upWire.busyUntil = downWire.busyUntil = 0;
    },
    restore() {
      down = false;
    },
    stall(ms) {
      link.stalledUntil = Math.max(link.stalledUntil, performance.now() + ms);
      setTimeout(repump, ms + 1).unref();
    },
    shape(s) {
      link.shape = s && (s.rateBitsPerSec > 0 || s.delayMs > 0) ? s : null;
      // A new link: data already queued keeps its times, new data is not held behind a closed
      // connection's leftovers at the old rate.
      upWire.busyUntil = downWire.busyUntil = 0;
      repump();
    },
    async close() {
      down = true;
      for (const l of lanes) l.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
