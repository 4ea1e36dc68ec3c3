/**
 * The hub: storage → broker (embedded unless MQTT_URL) → the hub's one MQTT connection →
 * ingest and downlink → HTTP. Shutdown in reverse. Ingest and downlink never touch the MQTT
 * client: they get a `publish` function, and messages reach them from here.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createLog } from '../appliance/log.ts';
import { serveHttp } from '../appliance/http/server.ts';
import { HUB_UPLINK_FILTER, parseTopic } from './contract/index.ts';
import { startEmbeddedBroker, HUB_USERNAME, type EmbeddedBroker } from './broker/embedded.ts';
import { parseHubConfig, type HubConfigInput } from './config.ts';
import { Downlink } from './downlink/downlink.ts';
import { authenticateDevice, listDevices } from './fleet/devices.ts';
import { createHubApp } from './http/app.ts';
import { Ingest, type IngestHooks } from './ingest/ingest.ts';
import { expireDue } from './jobs/jobs.ts';
import { openHubDatabase, type HubDb } from './storage/db.ts';

export interface Hub {
  /** The hub's web page. */
  url: string;
  /** The broker boxes connect to. */
  mqttUrl: string;
  db: HubDb;
  ingest: Ingest;
  downlink: Downlink;
  broker: EmbeddedBroker | null;
  close(): Promise<void>;
}

export interface HubOptions {
  log?: Logger;
  /** An already open, migrated database (tests); closed with the hub only if `ownDb`. */
  db?: HubDb;
  ownDb?: boolean;
  hooks?: IngestHooks;
  /** The hub's clock (sessions, jobs' expiry, the audit log); tests move it. */
  now?: () => Date;
}

export async function startHub(input: HubConfigInput, opts: HubOptions = {}): Promise<Hub> {
  const config = parseHubConfig(input);
  const log = opts.log ?? createLog({ level: config.logLevel, base: { part: 'central' } });
  const db = opts.db ?? (await openHubDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema, log: (l) => log.info(l) }));
  const ownDb = opts.db ? (opts.ownDb ?? false) : true;
  const cleanups: (() => Promise<void>)[] = [];
  const now = opts.now ?? (() => new Date());
  if (ownDb) cleanups.push(() => db.close());
  try {
    let broker: EmbeddedBroker | null = null;
    let mqttUrl = config.mqttUrl;
    let username = config.mqttUsername;
    let password = config.mqttPassword;
    if (!mqttUrl) {
      broker = await startEmbeddedBroker({ host: config.brokerHost, port: config.brokerPort, authenticateDevice: (id, secret) => authenticateDevice(db, id, secret), log });
      cleanups.push(() => broker!.close());
      mqttUrl = broker.url;
      username = HUB_USERNAME;
      password = broker.hubPassword;
      log.info({ mqttUrl }, 'embedded broker listening');
    }

    const client: MqttClient = mqtt.connect(mqttUrl, {
      clientId: `simpul-hub-${randomBytes(4).toString('hex')}`,
      username, password, protocolVersion: 4, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000,
      ca: config.mqttCaFile ? readFileSync(config.mqttCaFile) : undefined,
    });
    cleanups.push(() => client.endAsync(true));
    client.on('error', (err) => log.warn({ err: err.message }, 'hub mqtt error'));
    client.on('offline', () => log.warn('hub lost the broker; reconnecting'));
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`cannot connect to the broker at ${mqttUrl}`)), 15_000);
      client.once('connect', () => (clearTimeout(t), res()));
    });

    // Acks and downlink are not awaited in the ingest chain: a late PUBACK from the broker must
    // not slow the next batch; a lost ack only makes the box send again (idempotent).
    const publish = async (topic: string, frame: Buffer) => {
      client.publishAsync(topic, frame, { qos: 1 }).catch((err) => log.warn({ err: err.message, topic }, 'hub publish failed'));
    };
    const downlink = new Downlink(db, publish, log, config.resendAfterMs);
    const ingest = new Ingest(
      db, publish, log,
      // A job past its expiry is stopped before the box's downlink goes out (jobs.ts).
      (deviceId, hello) => expireDue(db, now(), deviceId).then(() => downlink.sendPending(deviceId, hello)).then(() => {}),
      (deviceId, frame) => downlink.onAck(deviceId, frame),
      opts.hooks,
    );
    client.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (!t) return ingest.countInvalid('unknown-topic', null, `unexpected topic ${topic}`);
      void ingest.handle(t.deviceId, t.channel, payload);
    });
    const filter = config.sharedGroup ? `$share/${config.sharedGroup}/${HUB_UPLINK_FILTER}` : HUB_UPLINK_FILTER;
    await client.subscribeAsync(filter, { qos: 1 });
    cleanups.push(() => ingest.idle());

    let revokeTimer: NodeJS.Timeout | undefined;
    if (broker) {
      // A box revoked while connected is put off the broker within 10 s.
      revokeTimer = setInterval(() => {
        const connected = new Set(broker!.connectedDevices());
        if (!connected.size) return;
        void listDevices(db)
          .then((ds) => ds.filter((d) => d.revokedAt && connected.has(d.id)).forEach((d) => (log.warn({ deviceId: d.id }, 'disconnecting a revoked box'), broker!.disconnect(d.id))))
          .catch(() => {});
      }, 10_000);
      revokeTimer.unref();
      cleanups.push(async () => clearInterval(revokeTimer));
    }

    // Jobs whose expiry passed are marked so every minute, not only when their box returns.
    const expiryTimer = setInterval(() => void expireDue(db, now()).catch((err) => log.warn({ err }, 'job expiry sweep failed')), 60_000);
    expiryTimer.unref();
    cleanups.push(async () => clearInterval(expiryTimer));

    const app = createHubApp({
      db, adminToken: config.adminToken, invalid: () => ingest.invalid, storedHere: () => ingest.storedByType(), now, secureCookies: config.secureCookies,
      onAnswered: (deviceId) => void downlink.sendPending(deviceId, false).catch((err) => log.warn({ err, deviceId }, 'downlink send failed')),
    });
    const http = await serveHttp(app.fetch, { port: config.httpPort, host: config.httpHost });
    cleanups.push(() => http.close());
    const shownHost = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
    const url = `http://${shownHost}:${http.port}`;
    log.info({ url, mqttUrl, database: db.kind }, 'hub running');

    let closed = false;
    return {
      url, mqttUrl, db, ingest, downlink, broker,
      async close() {
        if (closed) return;
        closed = true;
        for (const c of cleanups.reverse()) await c().catch((err) => log.warn({ err }, 'hub shutdown step failed'));
        log.info('hub stopped');
      },
    };
  } catch (e) {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    throw e;
  }
}
