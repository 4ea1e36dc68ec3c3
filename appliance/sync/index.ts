/**
 * Store-and-forward sync of the box with the hub. `startSync` wires the one MQTT link to the
 * uplink (outbox → hub) and the downlink (hub → clinic functions), and reports the backlog.
 * Without mqttUrl/deviceId/deviceSecret it returns a disabled sync whose stats still show the backlog.
 */
import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import { deviceFilters, encodeFrame, encodeStatusFrame, parseTopic, topics, type StatusEvent } from '../../central/contract/index.ts';
import { readBacklog, type SyncStats } from './backlog.ts';
import { DownlinkApplier } from './downlink.ts';
import { MqttLink } from './link.ts';
import { HubTime } from './hub-time.ts';
import { syncSettingsSchema, type SyncConfig } from './settings.ts';
import { Uplink } from './uplink.ts';
import { existsSync } from 'node:fs';
import { certificateTopics } from '../../central/contract/enrolment.ts';
import { CertificateRenewal } from '../enrolment/renewal.ts';
import { identityFile } from '../enrolment/identity.ts';
import { buildStatusReport, defaultStatusSources, type StatusSources } from './status-report.ts';
import { withdrawAssignment, writeAssignment } from '../release-assignment.ts';
import { applyToSettings, readRemoteSettings, saveRemoteSettings, type RemoteSyncSettings } from './remote-settings.ts';

export { syncSettingsShape, syncSettingsSchema, type SyncSettings, type SyncConfig } from './settings.ts';
export { listParked, unpark, readBacklog, type SyncStats, type ParkedRecord } from './backlog.ts';

export interface Sync {
  stats(): Promise<SyncStats>;
  /** Records were just written: send now rather than at the next poll. */
  kick(): void;
  /** Something an operator must know now (unclean start, corrupt storage, disk low, relay restart): a status report at once. */
  reportNow(event: StatusEvent): void;
  /** A remote job's change of the bandwidth cap / night window: saved, and used from the next batch. */
  applySettings(change: RemoteSyncSettings): Promise<{ bandwidthKbps: number; nightWindow: string | null }>;
  close(): Promise<void>;
}

/** The box's clock (appliance/clock/trusted-clock.ts): told the offset the box measures from the hub. */
export interface SyncClock {
  recordOffset(offsetMs: number): void;
  /** The system clock the offset is measured against (Date.now on a box). */
  systemTime(): number;
}

/** `onJob`: where a remote job from the hub goes (appliance/jobs/); without it the box refuses jobs. */
export async function startSync(o: {
  db: Db;
  config: SyncConfig & { dataDir?: string };
  log: Logger;
  clock?: SyncClock;
  statusSources?: Partial<StatusSources>;
  now?: () => Date;
  renewalCheckMs?: number;
  onJob?: DownlinkApplier['onJob'];
}): Promise<Sync> {
  const s = syncSettingsSchema.parse(o.config);
  applyToSettings(s, await readRemoteSettings(o.db));
  const applySettings = async (change: RemoteSyncSettings) => {
    await saveRemoteSettings(o.db, change);
    applyToSettings(s, change);
    return { bandwidthKbps: s.syncBandwidthKbps, nightWindow: s.syncNightWindow ?? null };
  };
  const log = o.log.child({ part: 'sync' });
  // A box enrolled with a claim code has its certificate in the data dir: it wins over a password.
  const enrolled = o.config.dataDir && existsSync(identityFile(o.config.dataDir)) ? o.config.dataDir : null;
  let renewal: CertificateRenewal | null = null;
  if (enrolled) {
    const link = { publish: (t: string, f: Buffer) => lateLink!.publish(t, f), reconnectNow: () => lateLink!.reconnectNow() };
    renewal = new CertificateRenewal({ dataDir: enrolled, link, now: o.now ?? (() => new Date()), log, checkEveryMs: o.renewalCheckMs });
    const id = renewal.identity();
    Object.assign(s, { mqttUrl: id.mqttUrl, deviceId: id.deviceId, deviceSecret: 'certificate' });
  }
  let lateLink: MqttLink | undefined;
  if (!s.mqttUrl || !s.deviceId || !s.deviceSecret) {
    log.warn('sync: not configured (mqttUrl, deviceId, deviceSecret); records stay in the outbox');
    const stats = async (): Promise<SyncStats> => ({
      ...(await readBacklog(o.db)),
      enabled: false,
      connected: false,
      deviceId: s.deviceId ?? null,
      lastSyncAt: null,
      lastError: null,
      lastErrorAt: null,
      recordsDelivered: 0,
      batchesSent: 0,
      bytesSent: 0,
      reconnects: 0,
      downlinkApplied: 0,
    });
    return { stats, kick() {}, reportNow() {}, applySettings, async close() {} };
  }
  const deviceId = s.deviceId;
  const link = new MqttLink({
    url: s.mqttUrl,
    deviceId,
    secret: s.deviceSecret,
    caFile: s.mqttCaFile,
    backoffMinMs: s.syncBackoffMinMs,
    backoffMaxMs: s.syncBackoffMaxMs,
    subscriptions: deviceFilters(deviceId),
    log,
    identity: renewal
      ? () => {
          const id = renewal!.identity();
          return { key: id.key, cert: id.certificate, ca: id.caCertificate };
        }
      : undefined,
  });
  lateLink = link;
  const uplink = new Uplink(o.db, link, deviceId, s, o.config.timeZone, log);
  const downlink = new DownlinkApplier(o.db, link, deviceId, o.config.facility.code, log);
  downlink.onChanged = () => uplink.kick();
  downlink.onJob = o.onJob ?? null;
  // A release the hub assigns is kept where fetch-release.sh reads it (in the data dir).
  const dataDir = o.config.dataDir;
  downlink.onRelease = dataDir ? (item) => writeAssignment(dataDir, item) : null;
  downlink.onReleaseWithdrawal = dataDir ? (item) => withdrawAssignment(dataDir, item) : null;

  const stats = async (): Promise<SyncStats> => ({
    ...(await readBacklog(o.db)),
    enabled: true,
    connected: link.connected,
    deviceId,
    lastSyncAt: uplink.lastSyncAt,
    lastError: uplink.lastError ?? link.lastError,
    lastErrorAt: uplink.lastErrorAt,
    recordsDelivered: uplink.recordsDelivered,
    batchesSent: uplink.batchesSent,
    bytesSent: uplink.bytesSent,
    reconnects: link.reconnects,
    downlinkApplied: downlink.applied,
  });

  const sources = defaultStatusSources(o.db, o.config.dataDir ?? '.', o.statusSources);
  const now = o.now ?? (() => new Date());
  // Events seen while disconnected go with the first report after the connect.
  let events: StatusEvent[] = [];
  const sendStatus = async (hello: boolean) => {
    if (!link.connected) return;
    const taken = events;
    events = [];
    try {
      const msg = await buildStatusReport(sources, await stats(), { hello, now: now(), events: taken });
      await link.publish(topics.status(deviceId), encodeStatusFrame(msg));
    } catch (e) {
      events.push(...taken);
      throw e;
    }
  };
  const statusSafe = (hello: boolean) => void sendStatus(hello).catch((err) => log.debug({ err: err.message }, 'sync: status not sent'));

  const hubTime = new HubTime(link, deviceId, {
    firstRetryMs: s.syncHubProbeMs,
    maxRetryMs: Math.max(s.syncHubProbeMs, 30_000),
    log,
    systemNow: o.clock ? () => o.clock!.systemTime() : undefined,
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
    if (renewal && topic === certificateTopics.answer(deviceId)) return void renewal.onAnswer(payload).catch((err) => log.error({ err }, 'sync: certificate answer not applied'));
    const t = parseTopic(topic);
    if (!t || t.deviceId !== deviceId) return log.warn({ topic }, 'sync: message on an unexpected topic ignored');
    if (t.channel === 'ack') void uplink.onAck(payload).catch((err) => log.error({ err }, 'sync: acknowledgement not applied (records will be resent)'));
    else if (t.channel === 'time') hubTime.onMessage(payload);
    else if (t.channel === 'down') void downlink.onMessage(payload);
  });
  link.on('up', () => {
    hubTime.onUp();
    if (renewal) void renewal.check();
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
  renewal?.start();
  link.start();
  log.info({ deviceId, url: s.mqttUrl }, 'sync started');

  return {
    stats,
    kick: () => uplink.kick(),
    reportNow(event) {
      events.push(event);
      statusSafe(false);
    },
    applySettings,
    async close() {
      clearInterval(statusTimer);
      hubTime.close();
      renewal?.stop();
      await uplink.close();
      await link.close();
      log.info('sync stopped');
    },
  };
}
