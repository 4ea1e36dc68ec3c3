/**
 * Asks the hub for its time and times the round trip. Two uses:
 *
 * - the box's clock offset from the hub (appliance/clock/trusted-clock.ts): measured on connect
 *   and with every status report;
 * - noticing the hub. After a broker restart the box may reconnect before the hub has, and what
 *   it sends then reaches no subscriber: the broker drops it, and the box would wait out its
 *   acknowledgement timeout (30 s) before sending again. So on each connect the box asks until the
 *   hub answers (again after 2 s, then doubling up to 30 s). When the first request of a
 *   connection went unanswered and a later one is answered, the hub was away and is listening
 *   now: the box sends again at once its hello status and any batch still unacknowledged (the
 *   hub stores idempotently). When the first is answered, nothing was lost and nothing is resent.
 *
 * An old hub never answers: the box then measures no offset and keeps its acknowledgement timeout,
 * as before, at the cost of one small request per 30 s.
 */
import type { Logger } from 'pino';
import { decodeFrame, encodeFrame, topics, type TimeRequest } from '../../central/contract/index.ts';
import type { MqttLink } from './link.ts';

export interface HubTimeOptions {
  firstRetryMs: number;
  maxRetryMs: number;
  /** The system clock (what the offset is measured against). */
  systemNow?: () => number;
  monotonicNow?: () => number;
  /**
   * Each answer: the hub's time minus the box's, and the round trip. `hubReturned`: the first
   * answer of a connection whose first request went unanswered, so the hub was not listening
   * when the box connected and what the box sent then may have reached nobody.
   */
  onAnswer(a: { offsetMs: number; roundTripMs: number; hubReturned: boolean }): void;
  log: Logger;
}

export class HubTime {
  /** Requests in flight: the request's `at` → the monotonic time it went. */
  private asked = new Map<string, number>();
  private answered = false;
  /** Requests sent on this connection before the first answer. */
  private unanswered = 0;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = 0;
  private readonly systemNow: () => number;
  private readonly mono: () => number;

  constructor(
    private readonly link: MqttLink,
    private readonly deviceId: string,
    private readonly o: HubTimeOptions,
  ) {
    this.systemNow = o.systemNow ?? Date.now;
    this.mono = o.monotonicNow ?? (() => performance.now());
  }

  /** A new connection: ask until the hub answers. */
  onUp() {
    this.answered = false;
    this.unanswered = 0;
    this.asked.clear();
    this.retryMs = this.o.firstRetryMs;
    this.askUntilAnswered();
  }

  onDown() {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private askUntilAnswered() {
    if (this.answered || !this.link.connected) return;
    this.unanswered++;
    this.ask();
    this.retry = setTimeout(() => this.askUntilAnswered(), this.retryMs);
    this.retryMs = Math.min(this.o.maxRetryMs, this.retryMs * 2);
  }

  /** One request (with each status report). */
  ask() {
    let at = new Date(this.systemNow()).toISOString();
    while (this.asked.has(at)) at = new Date(Date.parse(at) + 1).toISOString();
    if (this.asked.size >= 16) this.asked.delete(this.asked.keys().next().value!);
    this.asked.set(at, this.mono());
    this.link.publish(topics.timeRequest(this.deviceId), encodeFrame({ v: 1, kind: 'time_request', at } satisfies TimeRequest)).catch(() => {});
  }

  onMessage(frame: Buffer) {
    const d = decodeFrame('time', frame);
    if (!d.ok) return this.o.log.warn({ reason: d.reason }, 'sync: invalid time answer ignored');
    const sentMono = this.asked.get(d.message.requestAt);
    if (sentMono === undefined) return; // an answer to a request of an earlier connection
    this.asked.delete(d.message.requestAt);
    const roundTripMs = this.mono() - sentMono;
    const sentAt = Date.parse(d.message.requestAt);
    const offsetMs = Math.round(Date.parse(d.message.hubAt) - (sentAt + roundTripMs / 2));
    const hubReturned = !this.answered && this.unanswered > 1;
    this.answered = true;
    this.onDown();
    this.o.onAnswer({ offsetMs, roundTripMs: Math.round(roundTripMs), hubReturned });
  }

  close() {
    this.onDown();
  }
}
