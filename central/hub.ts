/**
 * The hub: storage → broker (embedded unless MQTT_URL) → the hub's one MQTT connection →
 * ingest and downlink → HTTP. Shutdown in reverse. Ingest and downlink never touch the MQTT
 * client: they get a `publish` function, and messages reach them from here.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createLog } from '../appliance/log.ts';
import { serveHttp, serveHttps } from '../appliance/http/server.ts';
import { HUB_UPLINK_FILTER, parseTopic } from './contract/index.ts';
import { startEmbeddedBroker, HUB_USERNAME, type EmbeddedBroker } from './broker/embedded.ts';
import { parseHubConfig, type HubConfigInput } from './config.ts';
import { Downlink } from './downlink/downlink.ts';
import { activeDevice, authenticateDevice, revokeDevice } from './fleet/devices.ts';
import { revokeBox, watchRevocations, type BrokerControl } from './fleet/revocation.ts';
import { mosquittoControl, reloadFromPidFile } from './broker/mosquitto-control.ts';
import { createHubApp } from './http/app.ts';
import { fixedWindowThrottle } from './http/throttle.ts';
import { issueServerCertificate, loadOrCreateHubCa } from './fleet/hub-ca.ts';
import { EnrolmentRefused, enrolWithClaim, renewCertificate } from './fleet/enrolment.ts';
import { certificateAnswer, certificateRequest, certificateRequestDevice, certificateTopics } from './contract/enrolment.ts';
import type { z } from 'zod';
import { Ingest, type IngestHooks } from './ingest/ingest.ts';
import { expireDue } from './jobs/jobs.ts';
import { openHubDatabase, type HubDb } from './storage/db.ts';
import { FleetState, type FleetStateOptions } from './fleet-state/fleet-state.ts';
import { HistoryJob } from './history/history.ts';
import { AlertEngine, type AlertEngineOptions } from './alerts/engine.ts';
import { advanceRollouts, boxOfDownloadKey } from './releases/rollouts.ts';

export interface Hub {
  /** The hub's web page. */
  url: string;
  /** The broker boxes connect to. */
  mqttUrl: string;
  db: HubDb;
  ingest: Ingest;
  downlink: Downlink;
  broker: EmbeddedBroker | null;
  /** The broker address given to boxes enrolled with a claim code (mqtts), if any. */
  boxMqttUrl: string | undefined;
  /** Each box's state and its reported figures (fleet-state/). */
  fleet: FleetState;
  alerts: AlertEngine;
  /** Moves every running rollout one step (releases/rollouts.ts) and sends new assignments at once; the hub runs it every `rolloutEveryMs`. */
  advanceRollouts(): Promise<Awaited<ReturnType<typeof advanceRollouts>>>;
  close(): Promise<void>;
}

export interface HubOptions {
  log?: Logger;
  /** An already open, migrated database (tests); closed with the hub only if `ownDb`. */
  db?: HubDb;
  ownDb?: boolean;
  hooks?: IngestHooks;
  /** The clock for certificates and claims (tests inject one). */
  now?: () => Date;
  /** The fleet state's clock and timings (tests: an injected clock, sweeps called by hand). */
  fleet?: FleetStateOptions;
  /** Alert timings (tests: evaluateEveryMs 0 and evaluate() by hand). */
  alerts?: AlertEngineOptions;
  /** SIGHUP to the Mosquitto of mosquittoDir (tests; default: from mosquittoPidFile). */
  reloadBroker?: () => void;
  /** How often running rollouts move (default 30 s; 0: only when advanceRollouts() is called, as tests do). */
  rolloutEveryMs?: number;
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
    // Made or read at the first enrolment (or at start for a TLS broker), not before: a hub without claims writes no CA.
    let caLoaded: ReturnType<typeof loadOrCreateHubCa> | undefined;
    const hubCa = () => (caLoaded ??= loadOrCreateHubCa(config.dataDir, now));
    let boxMqttUrl = config.boxMqttUrl;
    if (!mqttUrl) {
      let tls: Parameters<typeof startEmbeddedBroker>[0]['tls'];
      if (config.brokerTlsPort !== undefined) {
        const ca = await hubCa();
        const server = await issueServerCertificate(ca, config.brokerTlsHostnames, now());
        tls = { host: config.brokerHost, port: config.brokerTlsPort, key: server.key, cert: server.cert, ca: ca.certificatePem };
      }
      broker = await startEmbeddedBroker({
        host: config.brokerHost,
        port: config.brokerPort,
        authenticateDevice: (id, secret) => authenticateDevice(db, id, secret),
        log,
        tls,
        activeDevice: (id) => activeDevice(db, id),
      });
      if (broker.tlsPort !== null) boxMqttUrl ??= `mqtts://${config.brokerTlsHostnames[0]}:${broker.tlsPort}`;
      cleanups.push(() => broker!.close());
      mqttUrl = broker.url;
      username = HUB_USERNAME;
      password = broker.hubPassword;
      log.info({ mqttUrl }, 'embedded broker listening');
    }

    // One connection per broker: the main one, and one per region shard (extraMqttUrls). A box
    // is answered on the broker it spoke on.
    const connectBroker = async (url: string) => {
      const client: MqttClient = mqtt.connect(url, {
        clientId: `simpul-hub-${randomBytes(4).toString('hex')}`,
        username,
        password,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        ca: config.mqttCaFile ? readFileSync(config.mqttCaFile) : undefined,
      });
      cleanups.push(() => client.endAsync(true));
      client.on('error', (err) => log.warn({ err: err.message, url }, 'hub mqtt error'));
      client.on('offline', () => log.warn({ url }, 'hub lost the broker; reconnecting'));
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`cannot connect to the broker at ${url}`)), 15_000);
        client.once('connect', () => (clearTimeout(t), res()));
      });
      return client;
    };
    const client = await connectBroker(mqttUrl);
    const shards = await Promise.all((config.extraMqttUrls ?? []).map(connectBroker));
    const brokerOf = new Map<string, MqttClient>();

    // Acks and downlink are not awaited in the ingest chain: a late PUBACK from the broker must
    // not slow the next batch; a lost ack only makes the box send again (idempotent).
    const publish = async (topic: string, frame: Buffer) => {
      const via = (shards.length && brokerOf.get(topic.split('/')[2])) || client;
      via.publishAsync(topic, frame, { qos: 1 }).catch((err) => log.warn({ err: err.message, topic }, 'hub publish failed'));
    };
    const downlink = new Downlink(db, publish, log, config.resendAfterMs);
    cleanups.push(async () => downlink.close());
    const fleet = new FleetState(db, log, opts.fleet);
    cleanups.push(() => fleet.close());
    const history = new HistoryJob(db, log, opts.fleet?.now);
    cleanups.push(() => history.close());
    const alerts = new AlertEngine(db, log, {
      now: opts.fleet?.now,
      webhooks: config.alertWebhooks,
      targetVersion: config.targetVersion,
      externalUrl: config.externalUrl,
      lastReportAt: () => fleet.lastReportAt,
      ...opts.alerts,
    });
    cleanups.push(() => alerts.close());
    const ingest = new Ingest(
      db,
      publish,
      log,
      // A job past its expiry is stopped before the box's downlink goes out (jobs.ts). A box with
      // nothing unacknowledged (most reports) costs no query here; its hello always asks (catch-up lists).
      async (deviceId, hello) => {
        if (!hello && !downlink.mayHavePending(deviceId)) return;
        await expireDue(db, now(), deviceId);
        await downlink.sendPending(deviceId, hello);
      },
      (deviceId, frame) => downlink.onAck(deviceId, frame),
      { statusSink: (deviceId, status) => fleet.report(deviceId, status), ...opts.hooks },
    );
    // A box renews its certificate over its own authenticated link (the broker lets it publish only
    // under its own id), so the request's topic says who asks; the answer goes to its own downlink.
    const answerRenewal = async (deviceId: string, payload: Buffer) => {
      let answer: z.infer<typeof certificateAnswer>;
      try {
        const req = certificateRequest.parse(JSON.parse(payload.toString('utf8')));
        const r = await renewCertificate(db, await hubCa(), { deviceId, csr: req.csr, now: now() });
        answer = { v: 1, ok: true, certificate: r.certificate, caCertificate: r.caCertificate, notAfter: r.notAfter };
        log.info({ deviceId, notAfter: r.notAfter }, 'renewed a box certificate');
      } catch (err) {
        const reason = err instanceof EnrolmentRefused ? err.reason : 'invalid request';
        log.warn({ deviceId, reason }, 'refused a certificate renewal');
        answer = { v: 1, ok: false, reason };
      }
      await publish(certificateTopics.answer(deviceId), Buffer.from(JSON.stringify(answer)));
    };
    const filter = config.sharedGroup ? `$share/${config.sharedGroup}/${HUB_UPLINK_FILTER}` : HUB_UPLINK_FILTER;
    for (const c of [client, ...shards]) {
      c.on('message', (topic, payload) => {
        const renewing = certificateRequestDevice(topic);
        if (renewing) {
          if (shards.length) brokerOf.set(renewing, c);
          return void answerRenewal(renewing, payload);
        }
        const t = parseTopic(topic);
        if (!t) return ingest.countInvalid('unknown-topic', null, `unexpected topic ${topic}`);
        if (shards.length) brokerOf.set(t.deviceId, c);
        void ingest.handle(t.deviceId, t.channel, payload);
      });
      await c.subscribeAsync(filter, { qos: 1 });
    }
    cleanups.push(() => ingest.close());

    // What the broker knows of the fleet: the embedded one asks the database; a Mosquitto on this
    // machine (mosquittoDir) has its files rewritten and is reloaded. Revocations made elsewhere
    // (the CLI, another hub process) are applied within 10 s; the hub's own at once.
    const control: BrokerControl | null = broker
      ? { refresh: async () => {}, disconnect: async (id) => broker!.disconnect(id) }
      : config.mosquittoDir
        ? mosquittoControl({
            db,
            dir: config.mosquittoDir,
            ca: hubCa,
            now,
            reload: opts.reloadBroker ?? reloadFromPidFile(config.mosquittoPidFile),
            hub: { url: mqttUrl, username, password, ca: config.mqttCaFile ? readFileSync(config.mqttCaFile) : undefined },
          })
        : null;
    if (control) cleanups.push(async () => watchRevocations(db, control, log)());

    // Jobs whose expiry passed are marked so every minute, not only when their box returns.
    const expiryTimer = setInterval(() => void expireDue(db, now()).catch((err) => log.warn({ err }, 'job expiry sweep failed')), 60_000);
    expiryTimer.unref();
    cleanups.push(async () => clearInterval(expiryTimer));

    const app = createHubApp({
      db,
      adminToken: config.adminToken,
      invalid: () => ingest.invalid,
      storedHere: () => ingest.storedByType(),
      now,
      secureCookies: config.secureCookies,
      fleet: { fleet, alerts },
      onAnswered: (deviceId) => void downlink.sendPending(deviceId, false).catch((err) => log.warn({ err, deviceId }, 'downlink send failed')),
      onRolloutChanged: () => void stepRollouts().catch((err) => log.warn({ err }, 'rollout step failed')),
      enrol: boxMqttUrl
        ? async (r) => {
            const e = await enrolWithClaim(db, await hubCa(), { claimCode: r.claimCode, facilityCode: r.facilityCode, csr: r.csr, name: r.name, now: now() });
            log.info({ deviceId: e.deviceId, facility: r.facilityCode }, 'enrolled a box with a claim code');
            await control?.refresh();
            fleet.registryChanged();
            return { ...e, mqttUrl: boxMqttUrl };
          }
        : undefined,
      revoke: async (deviceId) => {
        const marked = (id: string) => ingest.devices.markRevoked(id);
        if (control) return revokeBox(db, control, deviceId, log, marked);
        const ok = await revokeDevice(db, deviceId);
        if (ok) marked(deviceId);
        return ok;
      },
      authenticateBox: (deviceId, secret) => authenticateDevice(db, deviceId, secret),
      boxOfDownloadKey: (key) => boxOfDownloadKey(db, key),
      readBundle: (file, start, end) => Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>,
      enrolThrottle: fixedWindowThrottle({ perWindow: config.enrolAttemptsPerWindow, windowMs: config.enrolWindowMs, now: () => now().getTime() }),
    });
    const http =
      config.httpTlsCertFile && config.httpTlsKeyFile
        ? await serveHttps(app.fetch, {
            port: config.httpPort,
            host: config.httpHost,
            cert: readFileSync(config.httpTlsCertFile, 'utf8'),
            key: readFileSync(config.httpTlsKeyFile, 'utf8'),
          })
        : await serveHttp(app.fetch, { port: config.httpPort, host: config.httpHost });
    cleanups.push(() => http.close());
    const shownHost = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? 'localhost' : config.httpHost;
    const url = `${config.httpTlsCertFile ? 'https' : 'http'}://${shownHost}:${http.port}`;
    log.info({ url, mqttUrl, database: db.kind }, 'hub running');

    // Rollouts: each step assigns waves, halts past the threshold; new assignments go out at once.
    const releaseBase = config.releaseUrl ?? config.externalUrl ?? url;
    const stepRollouts = async () => {
      const r = await advanceRollouts(db, { now: now(), baseUrl: releaseBase });
      for (const h of r.halted) log.warn({ rollout: h.id, reason: h.reason }, 'rollout halted past its failure threshold');
      for (const id of r.done) log.info({ rollout: id }, 'rollout done');
      if (r.assigned.length) log.info({ boxes: r.assigned.length }, 'rollout: release assigned to a wave');
      if (r.withdrawn.length) log.info({ boxes: r.withdrawn.length }, 'rollout: assignments withdrawn by the halt');
      for (const deviceId of [...r.assigned, ...r.withdrawn]) await downlink.sendPending(deviceId, false).catch((err) => log.warn({ err, deviceId }, 'downlink send failed'));
      return r;
    };
    const rolloutEveryMs = opts.rolloutEveryMs ?? 30_000;
    if (rolloutEveryMs > 0) {
      const rolloutTimer = setInterval(() => void stepRollouts().catch((err) => log.warn({ err }, 'rollout step failed')), rolloutEveryMs);
      rolloutTimer.unref();
      cleanups.push(async () => clearInterval(rolloutTimer));
    }

    let closed = false;
    return {
      url,
      mqttUrl,
      db,
      ingest,
      downlink,
      broker,
      boxMqttUrl,
      fleet,
      alerts,
      advanceRollouts: stepRollouts,
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
