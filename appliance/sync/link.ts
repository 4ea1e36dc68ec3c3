/**
 * The box's one MQTT connection. Nothing else on the box imports mqtt. It reconnects with
 * jittered exponential backoff (MQTT.js would retry at a fixed interval, every box of a district
 * at once after a shared outage), and it never holds messages for later: publishing while
 * disconnected fails at once, because the outbox — not MQTT.js's in-memory store — is the queue
 * (MQTT.js issue #2015: publishes made while its store replays can be lost).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface LinkOptions {
  url: string;
  deviceId: string;
  secret: string;
  caFile?: string;
  /**
   * The box's certificate, key and the hub's CA (appliance/enrolment), read at every connect so a
   * renewed certificate is used from the next one; when given, no password is sent.
   */
  identity?: () => { key: string; cert: string; ca: string };
  backoffMinMs: number;
  backoffMaxMs: number;
  subscriptions: string[];
  log: Logger;
  /** Injected in tests: the jitter's random source and the clock that times an attempt. */
  random?: () => number;
  now?: () => number;
}

/**
 * The wait before reconnect attempt `attempt + 1`: jitter on the upper half, between d/2 and d,
 * where d doubles per failed attempt up to `maxMs` (30 s by default, sync/settings.ts). The cap
 * is what a link that comes back costs at worst: a box retrying with a 5-minute cap found its
 * link a minute late after a 53 s cut. The jitter is what keeps thousands of boxes that lost the
 * hub together from coming back together: after a few attempts their retries are spread over
 * the cap's upper half (test/sync-reconnect-backoff.test.ts measures the spread).
 * `attemptMs`: how long the failed attempt itself took (a dropped link makes a connect hang up
 * to its 20 s timeout); that time counts towards the wait.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random, attemptMs = 0): number {
  const d = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(0, Math.round(d / 2 + random() * (d / 2) - attemptMs));
}

export declare interface MqttLink {
  on(event: 'up', l: () => void): this;
  on(event: 'down', l: () => void): this;
  on(event: 'message', l: (topic: string, payload: Buffer) => void): this;
}

export class MqttLink extends EventEmitter {
  connected = false;
  lastError: string | null = null;
  reconnects = 0;
  private client: MqttClient | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private reconnectAtOnce = false;
  private readonly ca?: Buffer;

  constructor(private readonly o: LinkOptions) {
    super();
    this.ca = o.caFile ? readFileSync(o.caFile) : undefined;
  }

  start() {
    this.connectOnce();
  }

  private connectOnce() {
    if (this.closed) return;
    const o = this.o;
    const id = o.identity?.();
    const startedAt = (o.now ?? Date.now)();
    const c = mqtt.connect(o.url, {
      clientId: o.deviceId,
      username: o.deviceId,
      ...(id ? { key: id.key, cert: id.cert, ca: id.ca } : { password: o.secret, ca: this.ca }),
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
      keepalive: 60,
      rejectUnauthorized: true,
      queueQoSZero: false,
    });
    this.client = c;
    c.on('connect', () => {
      if (this.client !== c) return;
      c.subscribeAsync(o.subscriptions, { qos: 1 }).then(
        (granted) => {
          const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
          if (refused.length) {
            this.lastError = `broker refused subscriptions: ${refused.join(', ')}`;
            o.log.error({ refused }, 'sync: the broker refused our subscriptions');
          }
          this.attempt = 0;
          this.connected = true;
          o.log.info({ url: o.url }, 'sync: connected to the hub');
          this.emit('up');
        },
        (err) => {
          this.lastError = `subscribe failed: ${err.message}`;
          c.end(true);
        },
      );
    });
    c.on('message', (topic, payload) => this.emit('message', topic, payload));
    c.on('error', (err) => {
      this.lastError = err.message;
      o.log.warn({ err: err.message }, 'sync: link error');
    });
    c.on('close', () => {
      if (this.client !== c) return;
      this.client = null;
      const was = this.connected;
      this.connected = false;
      c.end(true);
      if (was) {
        o.log.warn('sync: link to the hub lost');
        this.emit('down');
      }
      if (this.closed) return;
      if (this.reconnectAtOnce) {
        this.reconnectAtOnce = false;
        this.timer = setTimeout(() => this.connectOnce(), 0);
        return;
      }
      // A connection that was up counts nothing of its life: boxes dropped together by a broker
      // restart must not all come back at once.
      const attemptMs = was ? 0 : (o.now ?? Date.now)() - startedAt;
      const delay = backoffDelay(this.attempt++, o.backoffMinMs, o.backoffMaxMs, o.random, attemptMs);
      this.reconnects++;
      this.timer = setTimeout(() => this.connectOnce(), delay);
    });
  }

  /** Drops the connection and connects again at once (a renewed certificate is used from now on). */
  reconnectNow() {
    const c = this.client;
    if (!c || this.closed) return;
    this.attempt = 0;
    this.reconnectAtOnce = true;
    c.end(true);
  }

  /** QoS 1; resolves on the broker's PUBACK (which says only that the broker has it). */
  async publish(topic: string, frame: Buffer): Promise<void> {
    const c = this.client;
    if (!c || !this.connected) throw new Error('not connected');
    await c.publishAsync(topic, frame, { qos: 1 });
  }

  async close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (c) await c.endAsync(true);
  }
}
