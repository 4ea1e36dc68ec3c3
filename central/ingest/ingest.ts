/**
 * Box → hub. Each message is decoded and validated against the contract; an invalid one is
 * logged with its reason and counted, never thrown. The acknowledgement of a batch is published
 * only after storeBatch's commit has returned. A device's record batches are stored concurrently
 * (on PostgreSQL's pool): the box never has two batches in flight that hold versions of the same
 * entity, so per-entity order holds, as it does when two hub processes share the uplink. Its other
 * messages (status, downlink acknowledgements) are handled one after another.
 */
import type { Logger } from 'pino';
import { decodeFrame, encodeFrame, topics, type BoxStatus, type Channel, type RecordBatch, type TimeAnswer } from '../contract/index.ts';
import { ActiveDevices } from '../fleet/active-devices.ts';
import type { HubDb } from '../storage/db.ts';
import { storeBatch } from './store.ts';

export interface IngestHooks {
  /** Where valid status reports go (fleet-state/, which writes them in batches); without it each is written at once. */
  statusSink?(deviceId: string, status: BoxStatus): void;
  /** Test hook: runs after the commit, before the ack is published (a throw drops the ack); the batch's stored records. */
  afterCommit?(deviceId: string, batch: RecordBatch): Promise<void> | void;
}

export class Ingest {
  readonly invalid = new Map<string, number>();
  readonly storedSinceStart = new Map<string, number>();
  private chains = new Map<string, Promise<void>>();
  private batches = new Set<Promise<void>>();
  /** Which boxes may speak, from memory (revocations made elsewhere read every 5 s; the hub marks its own). */
  readonly devices: ActiveDevices;

  constructor(
    private readonly db: HubDb,
    private readonly publish: (topic: string, frame: Buffer) => Promise<void>,
    private readonly log: Logger,
    private readonly onStatus: (deviceId: string, hello: boolean) => Promise<void>,
    private readonly onDownAck: (deviceId: string, frame: Buffer) => Promise<boolean>,
    private readonly hooks: IngestHooks = {},
  ) {
    this.devices = new ActiveDevices(db, log);
  }

  countInvalid(channel: string, deviceId: string | null, reason: string) {
    this.invalid.set(channel, (this.invalid.get(channel) ?? 0) + 1);
    this.log.warn({ channel, deviceId, reason }, 'ingest: message rejected');
  }

  /** Entry point for every uplink message; never rejects. */
  handle(deviceId: string, channel: Channel, frame: Buffer): Promise<void> {
    // Answered at once, outside the box's chain of messages: time spent queued would count as clock offset.
    if (channel === 'time-request') return this.answerTime(deviceId, frame).catch((err) => this.log.warn({ err, deviceId }, 'ingest: time request not answered'));
    if (channel === 'records') {
      const p = this.handleOne(deviceId, channel, frame).catch((err) => this.log.error({ err, deviceId, channel }, 'ingest: batch not stored (the box will send it again)'));
      this.batches.add(p);
      void p.then(() => this.batches.delete(p));
      return p;
    }
    const prev = this.chains.get(deviceId) ?? Promise.resolve();
    const next = prev
      .then(() => this.handleOne(deviceId, channel, frame))
      .catch((err) => this.log.error({ err, deviceId, channel }, 'ingest: message not processed (the box will send it again)'));
    this.chains.set(deviceId, next);
    void next.then(() => {
      if (this.chains.get(deviceId) === next) this.chains.delete(deviceId);
    });
    return next;
  }

  storedByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, n] of this.storedSinceStart) {
      const type = key.slice(key.indexOf('|') + 1);
      out.set(type, (out.get(type) ?? 0) + n);
    }
    return out;
  }

  /** Resolves when every message received so far is handled. */
  async idle() {
    await Promise.all([...this.chains.values(), ...this.batches]);
  }

  private isActive(deviceId: string): Promise<boolean> {
    return this.devices.isActive(deviceId);
  }

  /** Resolves when every message received so far is handled, and stops reading revocations. */
  async close() {
    await this.idle();
    this.devices.close();
  }

  /** The hub's clock for a box measuring its offset (appliance/clock): the box times the round trip. */
  private async answerTime(deviceId: string, frame: Buffer) {
    const d = decodeFrame('time-request', frame);
    if (!d.ok) return this.countInvalid('time-request', deviceId, d.reason);
    if (!(await this.isActive(deviceId))) return this.countInvalid('time-request', deviceId, 'unknown or revoked device');
    await this.publish(topics.time(deviceId), encodeFrame({ v: 1, kind: 'time', requestAt: d.message.at, hubAt: new Date().toISOString() } satisfies TimeAnswer));
  }

  private async handleOne(deviceId: string, channel: Channel, frame: Buffer) {
    if (channel !== 'records' && channel !== 'status' && channel !== 'down-ack') return this.countInvalid(channel, deviceId, `boxes do not send on ${channel}`);
    if (!(await this.isActive(deviceId))) return this.countInvalid(channel, deviceId, 'unknown or revoked device');
    if (channel === 'down-ack') {
      if (!(await this.onDownAck(deviceId, frame))) this.invalid.set(channel, (this.invalid.get(channel) ?? 0) + 1);
      return;
    }
    if (channel === 'status') {
      const d = decodeFrame('status', frame);
      if (!d.ok) return this.countInvalid(channel, deviceId, d.reason);
      if (this.hooks.statusSink) this.hooks.statusSink(deviceId, d.message);
      else await this.db.query(`UPDATE devices SET last_seen_at = now(), last_status = $2 WHERE id = $1`, [deviceId, JSON.stringify(d.message)]);
      await this.onStatus(deviceId, d.message.hello);
      return;
    }
    const d = decodeFrame('records', frame);
    if (!d.ok) return this.countInvalid(channel, deviceId, d.reason);
    const t = performance.now();
    const res = await storeBatch(this.db, deviceId, d.message, d.text);
    for (const [type, n] of Object.entries(res.inserted)) this.storedSinceStart.set(`${deviceId}|${type}`, (this.storedSinceStart.get(`${deviceId}|${type}`) ?? 0) + n);
    for (const r of res.ack.rejected) this.log.warn({ deviceId, seq: r.seq, reason: r.reason }, 'ingest: record rejected; the box parks it');
    await this.hooks.afterCommit?.(deviceId, { ...d.message, records: res.accepted });
    await this.publish(topics.ack(deviceId), encodeFrame(res.ack));
    this.log.debug(
      {
        deviceId,
        batch: d.message.batch,
        records: d.message.records.length,
        stored: res.ack.stored.length,
        rejected: res.ack.rejected.length,
        ms: Math.round(performance.now() - t),
      },
      'ingest: batch stored and acknowledged',
    );
  }
}
