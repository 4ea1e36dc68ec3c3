/**
 * Box → hub, from the outbox. Records go in batches, in seq order within their priority class
 * (referrals and prescriptions, then visits and consents, then bulk figures). A batch is one QoS 1
 * publish; its records count as delivered only when the hub's own acknowledgement arrives, which
 * the hub sends after its commit. Up to syncMaxInFlight batches travel at once, so a long round
 * trip is not paid per batch; a batch never holds a version of an entity that another batch in
 * flight holds, so an entity's versions reach the hub in order even when a batch is lost and sent
 * again. A batch not acknowledged in time is sent again (the hub stores idempotently) and the
 * batch size is halved, so a poor link still moves; it grows back after each success.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import { markDelivered, parkRecords, readQueue, readWireRecords, type QueuedRecord } from '../clinic/outbox.ts';
import { inWindow } from '../clinic/clock.ts';
import { decodeFrame, encodeRecordBatch, FrameTooLargeError, MAX_RECORD_BYTES, topics } from '../../central/contract/index.ts';
import { BandwidthLimit } from './bandwidth-limit.ts';
import { InFlightWindow, type Flight } from './in-flight.ts';
import type { MqttLink } from './link.ts';
import type { SyncSettings } from './settings.ts';

export class Uplink {
  lastSyncAt: string | null = null;
  lastError: string | null = null;
  lastErrorAt: string | null = null;
  recordsDelivered = 0;
  batchesSent = 0;
  bytesSent = 0;
  private batchLimit: number;
  private inFlight = new InFlightWindow();
  private readonly bandwidth: BandwidthLimit;
  private wake: (() => void) | null = null;
  private closed = false;
  private loopDone: Promise<void> | null = null;
  /** Called after the backlog empties (the box then reports its status). */
  onDrained: () => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly link: MqttLink,
    private readonly deviceId: string,
    private readonly s: SyncSettings,
    private readonly timeZone: string,
    private readonly log: Logger,
  ) {
    this.batchLimit = s.syncBatchMaxRecords;
    this.bandwidth = new BandwidthLimit(s.syncBandwidthKbps);
    // An acknowledgement never crosses a reconnect (clean session): everything in flight is sent again.
    link.on('down', () => this.inFlight.settleAll(false));
  }

  async start() {
    const { rows } = await this.db.query<{ value: string }>(`SELECT value FROM sync_state WHERE key = 'last_sync_at'`);
    if (rows[0]) this.lastSyncAt = rows[0].value;
    this.loopDone = this.loop();
  }

  /** New records are in the outbox: look now rather than at the next poll. */
  kick() {
    this.wake?.();
  }

  /**
   * The hub has just shown it listens (sync/hub-time.ts): batches still unacknowledged may have
   * reached nobody, so they go again now rather than at their timeout. Not a failure: the batch
   * size stays.
   */
  resendInFlight() {
    this.inFlight.forgetAll();
    this.kick();
  }

  fail(message: string) {
    this.lastError = message;
    this.lastErrorAt = new Date().toISOString();
  }

  private sleep(ms: number) {
    return new Promise<void>((res) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        res();
      }
      this.wake = done;
    }).finally(() => (this.wake = null));
  }

  private async loop() {
    let sentSinceIdle = false;
    while (!this.closed) {
      if (!this.link.connected) {
        await this.sleep(this.s.syncPollMs);
        continue;
      }
      try {
        if (this.inFlight.size >= this.s.syncMaxInFlight) {
          await this.inFlight.anySettled();
          continue;
        }
        if ((await this.sendNext()) === 'sent') {
          sentSinceIdle = true;
          continue;
        }
        if (this.inFlight.size) {
          await this.inFlight.anySettled();
          continue;
        }
        if (sentSinceIdle) this.onDrained();
        sentSinceIdle = false;
        await this.sleep(this.s.syncPollMs);
      } catch (err) {
        this.fail((err as Error).message);
        this.log.warn({ err }, 'sync: uplink batch failed; will retry'); // through the logger's error allow-list
        await this.sleep(Math.min(this.s.syncPollMs, 1000));
      }
    }
  }

  /** Publishes the next batch (without waiting for the broker or the hub); 'idle' when nothing can go now. */
  private async sendNext(): Promise<'sent' | 'idle'> {
    const t0 = performance.now();
    const busy = this.inFlight.busyEntities();
    const inFlight = this.inFlight.records();
    const includeBulk = inWindow(this.s.syncNightWindow, new Date(), this.timeZone);
    let rows = await readQueue(this.db, { limit: this.batchLimit, includeBulk, busy, inFlight });
    const tooBig = rows.filter((r) => r.bytes > MAX_RECORD_BYTES);
    if (tooBig.length) {
      await this.park(tooBig.map((r) => ({ seq: r.seq, reason: `payload of ${r.bytes} bytes over the limit of ${MAX_RECORD_BYTES}` })));
      rows = rows.filter((r) => r.bytes <= MAX_RECORD_BYTES);
    }
    let bytes = 0;
    const take: QueuedRecord[] = [];
    for (const r of rows) {
      if (take.length && bytes + r.bytes > this.s.syncBatchMaxBytes) break;
      take.push(r);
      bytes += r.bytes + 200;
    }
    if (!take.length) return 'idle';
    const batch = randomBytes(6).toString('base64url');
    // Tracked before the records are read and compressed: the next batch, read meanwhile, must leave these entities out.
    const flight = this.track(batch, take);
    let frame: Buffer;
    try {
      const records = await readWireRecords(
        this.db,
        take.map((r) => r.seq),
      );
      if (!records) {
        // Delivered meanwhile (a late acknowledgement): nothing left to send in this one.
        flight.forget();
        return 'sent';
      }
      frame = await encodeRecordBatch(batch, records);
    } catch (e) {
      flight.forget();
      if (e instanceof FrameTooLargeError && this.batchLimit > 1) {
        this.batchLimit = Math.max(1, Math.floor(take.length / 2));
        return 'sent';
      }
      throw e;
    }
    const readyMs = performance.now() - t0;
    await this.bandwidth.waitFor(frame.length);
    if (this.closed || !this.link.connected) {
      flight.forget();
      return 'idle';
    }
    this.batchesSent++;
    this.bytesSent += frame.length;
    this.log.debug({ batch, records: take.length, bytes: frame.length, inFlight: this.inFlight.size, readyMs: Math.round(readyMs) }, 'sync: batch sent');
    // Not awaited: the next batch is read and compressed while this one crosses the link. The ack
    // timer starts at the broker's PUBACK, so on a slow link the frame's own transfer time is not
    // counted as the hub's delay.
    this.link.publish(topics.records(this.deviceId), frame).then(
      () => flight.startTimer(this.s.syncAckTimeoutMs),
      (e: Error) => {
        this.fail(e.message);
        flight.settle(false);
      },
    );
    return 'sent';
  }

  private track(batch: string, take: QueuedRecord[]): Flight {
    return this.inFlight.track(
      batch,
      take.map((r) => r.entity),
      take.length,
      (acked) => {
        if (acked) this.batchLimit = Math.min(this.s.syncBatchMaxRecords, this.batchLimit * 2);
        else if (!this.closed) {
          this.fail(this.link.connected ? `no acknowledgement from the hub within ${this.s.syncAckTimeoutMs} ms` : 'link lost while waiting for the hub');
          // A slow link: smaller batches next time.
          this.batchLimit = Math.max(1, Math.floor(take.length / 2));
          this.log.warn({ batch, records: take.length, nextBatch: this.batchLimit }, 'sync: batch not acknowledged; it will be sent again');
        }
      },
    );
  }

  /** Every acknowledgement is applied, also a late one for a batch given up on (it is still true). */
  async onAck(frame: Buffer) {
    const t0 = performance.now();
    const d = decodeFrame('ack', frame);
    if (!d.ok) {
      this.log.warn({ reason: d.reason }, 'sync: invalid acknowledgement from the hub ignored');
      return;
    }
    const ack = d.message;
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      if (ack.stored.length) {
        await markDelivered(tx, ack.stored);
        await tx.query(`INSERT INTO sync_state (key, value) VALUES ('last_sync_at', $1::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [
          JSON.stringify(now),
        ]);
      }
    });
    if (ack.rejected.length) await this.park(ack.rejected);
    if (ack.stored.length) {
      this.lastSyncAt = now;
      this.recordsDelivered += ack.stored.length;
    }
    this.log.debug({ batch: ack.batch, stored: ack.stored.length, ms: Math.round(performance.now() - t0) }, 'sync: acknowledgement applied');
    this.inFlight.get(ack.batch)?.settle(true);
  }

  private async park(list: { seq: number; reason: string }[]) {
    for (const p of list) this.log.warn({ seq: p.seq, reason: p.reason }, 'sync: record parked (the hub cannot take it); see the admin page');
    await parkRecords(this.db, list);
  }

  async close() {
    this.closed = true;
    this.wake?.();
    this.inFlight.settleAll(false);
    await this.loopDone;
  }
}
