/**
 * Box → hub, from the outbox. Records go in batches, in seq order within their priority class
 * (referrals and prescriptions, then visits and consents, then bulk figures — each entity has one
 * type, so an entity's versions keep their order). A batch is one QoS 1 publish; its records count
 * as delivered only when the hub's own acknowledgement arrives, which the hub sends after its
 * commit. A batch not acknowledged in time is sent again (the hub stores idempotently) and the
 * batch size is halved, so a poor link still moves; it grows back after each success.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import { decodeFrame, encodeFrame, FrameTooLargeError, MAX_RECORD_BYTES, topics, type UplinkAck, type WireRecord } from '../../central/contract/index.ts';
import type { MqttLink } from './link.ts';
import type { SyncSettings } from './settings.ts';

/** Priority classes: lower goes first. Bulk (class 2) also waits for the night window. */
export const typePriority: Record<string, number> = { referral: 0, prescription: 0, consent: 1, encounter_summary: 1, queue_daily_figures: 2 };
const BULK = 2;

export function inWindow(window: string | undefined, now: Date, timeZone: string): boolean {
  if (!window) return true;
  const [from, to] = window.split('-');
  const hm = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  return from <= to ? hm >= from && hm < to : hm >= from || hm < to;
}

interface Row {
  seq: number;
  id: string;
  type: string;
  schema_version: number;
  entity_id: string;
  entity_version: number;
  payload: unknown;
  created_at: unknown;
  bytes: number;
}

export class Uplink {
  lastSyncAt: string | null = null;
  lastError: string | null = null;
  lastErrorAt: string | null = null;
  recordsDelivered = 0;
  batchesSent = 0;
  bytesSent = 0;
  private batchLimit: number;
  private waiters = new Map<string, (ack: UplinkAck) => void>();
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
        const r = await this.sendOne();
        if (r === 'idle') {
          if (sentSinceIdle) this.onDrained();
          sentSinceIdle = false;
          await this.sleep(this.s.syncPollMs);
        } else sentSinceIdle = true;
      } catch (err) {
        this.fail((err as Error).message);
        this.log.warn({ err: (err as Error).message }, 'sync: uplink batch failed; will retry');
        await this.sleep(Math.min(this.s.syncPollMs, 1000));
      }
    }
  }

  private async nextRows(limit: number): Promise<Row[]> {
    const bulkNow = inWindow(this.s.syncNightWindow, new Date(), this.timeZone);
    const cases = Object.entries(typePriority).map(([t, p]) => `WHEN '${t}' THEN ${p}`).join(' ');
    const { rows } = await this.db.query<Row>(
      `SELECT seq::float8 AS seq, id, type, schema_version, entity_id, entity_version, payload, created_at, octet_length(payload::text) AS bytes
         FROM outbox
        WHERE delivered_at IS NULL AND parked_at IS NULL AND ($2 OR coalesce(CASE type ${cases} END, 1) < ${BULK})
        ORDER BY coalesce(CASE type ${cases} END, 1), seq
        LIMIT $1`,
      [limit, bulkNow],
    );
    return rows;
  }

  /** Sends one batch and waits for the hub's acknowledgement. */
  async sendOne(): Promise<'sent' | 'idle'> {
    let rows = await this.nextRows(this.batchLimit);
    const tooBig = rows.filter((r) => r.bytes > MAX_RECORD_BYTES);
    if (tooBig.length) {
      await this.park(tooBig.map((r) => ({ seq: r.seq, reason: `payload of ${r.bytes} bytes over the limit of ${MAX_RECORD_BYTES}` })));
      rows = rows.filter((r) => r.bytes <= MAX_RECORD_BYTES);
    }
    let bytes = 0;
    const take: Row[] = [];
    for (const r of rows) {
      if (take.length && bytes + r.bytes > this.s.syncBatchMaxBytes) break;
      take.push(r);
      bytes += r.bytes + 200;
    }
    if (!take.length) return 'idle';
    const records: WireRecord[] = take.map((r) => ({
      id: r.id, seq: r.seq, type: r.type, sv: r.schema_version, entity: r.entity_id, ev: r.entity_version,
      at: new Date(r.created_at as string).toISOString(), payload: r.payload,
    }));
    const batch = randomBytes(6).toString('base64url');
    let frame: Buffer;
    try {
      frame = encodeFrame({ v: 1, kind: 'records', batch, records });
    } catch (e) {
      if (e instanceof FrameTooLargeError && this.batchLimit > 1) {
        this.batchLimit = Math.max(1, Math.floor(take.length / 2));
        return 'sent';
      }
      throw e;
    }
    const t0 = performance.now();
    const acked = new Promise<UplinkAck | null>((res) => {
      const timer = setTimeout(() => (this.waiters.delete(batch), res(null)), this.s.syncAckTimeoutMs);
      const onDown = () => (clearTimeout(timer), this.waiters.delete(batch), res(null));
      this.link.once('down', onDown);
      this.waiters.set(batch, (ack) => {
        clearTimeout(timer);
        this.link.off('down', onDown);
        res(ack);
      });
    });
    try {
      await this.link.publish(topics.records(this.deviceId), frame);
    } catch (e) {
      this.waiters.delete(batch);
      throw e;
    }
    this.batchesSent++;
    this.bytesSent += frame.length;
    const ack = await acked;
    if (!ack) {
      this.fail(this.link.connected ? `no acknowledgement from the hub within ${this.s.syncAckTimeoutMs} ms` : 'link lost while waiting for the hub');
      // A slow link: smaller batches next time.
      this.batchLimit = Math.max(1, Math.floor(take.length / 2));
      this.log.warn({ batch, records: take.length, nextBatch: this.batchLimit }, 'sync: batch not acknowledged; sending again');
      return 'sent';
    }
    this.batchLimit = Math.min(this.s.syncBatchMaxRecords, this.batchLimit * 2);
    // Keep under the bandwidth cap: the frame's share of the link, less the time already spent.
    if (this.s.syncBandwidthKbps > 0) {
      const needMs = (frame.length * 8) / this.s.syncBandwidthKbps;
      const spent = performance.now() - t0;
      if (needMs > spent) await this.sleep(needMs - spent);
    }
    return 'sent';
  }

  /** Every acknowledgement is applied, also a late one for a batch given up on (it is still true). */
  async onAck(frame: Buffer) {
    const d = decodeFrame('ack', frame);
    if (!d.ok) {
      this.log.warn({ reason: d.reason }, 'sync: invalid acknowledgement from the hub ignored');
      return;
    }
    const ack = d.message;
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      if (ack.stored.length) {
        await tx.query(`UPDATE outbox SET delivered_at = now() WHERE seq IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint) AND delivered_at IS NULL`, [JSON.stringify(ack.stored)]);
        await tx.query(
          `INSERT INTO sync_state (key, value) VALUES ('last_sync_at', $1::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [JSON.stringify(now)],
        );
      }
    });
    if (ack.rejected.length) await this.park(ack.rejected);
    if (ack.stored.length) {
      this.lastSyncAt = now;
      this.recordsDelivered += ack.stored.length;
    }
    this.waiters.get(ack.batch)?.(ack);
  }

  private async park(list: { seq: number; reason: string }[]) {
    for (const p of list) this.log.warn({ seq: p.seq, reason: p.reason }, 'sync: record parked (the hub cannot take it); see the admin page');
    await this.db.query(
      `UPDATE outbox o SET parked_at = now(), parked_reason = r.reason FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, reason text)
        WHERE o.seq = r.seq AND o.delivered_at IS NULL`,
      [JSON.stringify(list)],
    );
  }

  async close() {
    this.closed = true;
    this.wake?.();
    for (const w of this.waiters.values()) w({ v: 1, kind: 'ack', batch: '', stored: [], rejected: [] });
    await this.loopDone;
  }
}
