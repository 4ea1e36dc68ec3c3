/**
 * Store-and-forward sync of the box with the hub. `startSync` wires the one MQTT link to the
 * uplink (outbox → hub) and the downlink (hub → clinic functions), and reports the backlog.
 * Without mqttUrl/deviceId/deviceSecret it returns a disabled sync whose stats still show the backlog.
 */
import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import { deviceFilters, encodeFrame, parseTopic, topics, type BoxStatus } from '../../central/contract/index.ts';
import { readBacklog, syncMetricsText, type SyncStats } from './backlog.ts';
import { DownlinkApplier } from './downlink.ts';
import { MqttLink } from './link.ts';
import { HubTime } from './hub-time.ts';
import { syncSettingsSchema, type SyncConfig } from './settings.ts';
import { Uplink } from './uplink.ts';

export { syncSettingsShape, syncSettingsSchema, type SyncSettings, type SyncConfig } from './settings.ts';
export { listParked, unpark, readBacklog, syncMetricsText, type SyncStats, type ParkedRecord } from './backlog.ts';

export interface Sync {
  stats(): Promise<SyncStats>;
  /** Prometheus lines for the box's /metrics. */
  metrics(): Promise<string>;
  /** Records were just written: send now rather than at the next poll. */
  kick(): void;
  close(): Promise<void>;
}

/** The box's clock (appliance/clock/trusted-clock.ts): told the offset the box measures from the hub. */
export interface SyncClock {
  recordOffset(offsetMs: number): void;
  /** The system clock the offset is measured against (Date.now on a box). */
  systemTime(): number;
}

export async function startSync(o: { db: Db; config: SyncConfig; log: Logger; clock?: SyncClock }): Promise<Sync> {
  const s = syncSettingsSchema.parse(o.config);
  const log = o.log.child({ part: 'sync' });
  if (!s.mqttUrl || !s.deviceId || !s.deviceSecret) {
    log.warn('sync: not configured (mqttUrl, deviceId, deviceSecret); records stay in the outbox');
    const stats = async (): Promise<SyncStats> => ({
      ...(await readBacklog(o.db)), enabled: false, connected: false, deviceId: s.deviceId ?? null, lastSyncAt: null, lastError: null, lastErrorAt: null,
      recordsDelivered: 0, batchesSent: 0, bytesSent: 0, reconnects: 0, downlinkApplied: 0,
    });
    return { stats, metrics: async () => syncMetricsText(await stats()), kick() {}, async close() {} };
  }
  const deviceId = s.deviceId;
  const link = new MqttLink({
    url: s.mqttUrl, deviceId, secret: s.deviceSecret, caFile: s.mqttCaFile,
    backoffMinMs: s.syncBackoffMinMs, backoffMaxMs: s.syncBackoffMaxMs, subscriptions: deviceFilters(deviceId), log,
  });
  const uplink = new Uplink(o.db, link, deviceId, s, o.config.timeZone, log);
  const downlink = new DownlinkApplier(o.db, link, deviceId, o.config.facility.code, log);
  downlink.onChanged = () => uplink.kick();

  const stats = async (): Promise<SyncStats> => ({
    ...(await readBacklog(o.db)),
    enabled: true, connected: link.connected, deviceId,
    lastSyncAt: uplink.lastSyncAt,
    lastError: uplink.lastError ?? link.lastError,
    lastErrorAt: uplink.lastErrorAt,
    recordsDelivered: uplink.recordsDelivered, batchesSent: uplink.batchesSent, bytesSent: uplink.bytesSent,
    reconnects: link.reconnects, downlinkApplied: downlink.applied,
  });

  const sendStatus = async (hello: boolean) => {
    if (!link.connected) return;
    const st = await stats();
    const msg: BoxStatus = {
      v: 1, kind: 'status', at: new Date().toISOString(), hello, pending: st.pending, parked: st.parked, bytesPending: Math.round(st.bytesPending),
      oldestPendingAgeSeconds: st.oldestPendingAgeSeconds, lastSyncAt: st.lastSyncAt, lastError: st.lastError?.slice(0, 500) ?? null,
    };
    await link.publish(topics.status(deviceId), encodeFrame(msg));
  };
  const statusSafe = (hello: boolean) => void sendStatus(hello).catch((err) => log.debug({ err: err.message }, 'sync: status not sent'));

  const hubTime = new HubTime(link, deviceId, {
    firstRetryMs: s.syncHubProbeMs, maxRetryMs: Math.max(s.syncHubProbeMs, 30_000), log, systemNow: o.clock ? () => o.clock!.systemTime() : undefined,
    onAnswer: ({ offsetMs, roundTripMs, hubReturned }) => {
      o.clock?.recordOffset(offsetMs);
      log.debug({ offsetMs, roundTripMs }, 'sync: clock offset from the hub measured');
      if (!hubReturned) return;
      // The hub listens now: what went before it did may have reached nobody (a broker restart).
      log.info('sync: the hub answers again; sending again what it may have missed');
      statusSafe(true);
      uplink.resendInFlight();
    },
  });
  link.on('message', (topic, payload) => {
    const t = parseTopic(topic);
    if (!t || t.deviceId !== deviceId) return log.warn({ topic }, 'sync: message on an unexpected topic ignored');
    if (t.channel === 'ack') void uplink.onAck(payload).catch((err) => log.error({ err }, 'sync: acknowledgement not applied (records will be resent)'));
    else if (t.channel === 'time') hubTime.onMessage(payload);
    else if (t.channel === 'down') void downlink.onMessage(payload);
  });
  link.on('up', () => {
    hubTime.onUp();
    statusSafe(true);
    uplink.kick();
  });
  link.on('down', () => hubTime.onDown());
  uplink.onDrained = () => statusSafe(false);
  const statusTimer = setInterval(() => {
    statusSafe(false);
    if (link.connected) hubTime.ask();
  }, s.syncStatusIntervalMs);
  statusTimer.unref();

  await uplink.start();
  link.start();
  log.info({ deviceId, url: s.mqttUrl }, 'sync started');

  return {
    stats,
    metrics: async () => syncMetricsText(await stats()),
    kick: () => uplink.kick(),
    async close() {
      clearInterval(statusTimer);
      hubTime.close();
      await uplink.close();
      await link.close();
      log.info('sync stopped');
    },
  };
}
