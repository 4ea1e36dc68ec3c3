/**
 * Boxes enrolled with a claim code on Mosquitto (started as root on the generated mosquitto.conf,
 * so it runs as `mosquitto`): `require_certificate` + `use_identity_as_username` on the boxes'
 * listener, the per-box ACL on the certificate's CN. The hub rewrites the files and reloads
 * Mosquitto (SIGHUP) after each enrolment and revocation. Shown here: a box speaks with its
 * certificate, only as itself; one box's certificate never takes another's session; a revoked box
 * is put off at once (the hub takes its client id over), may do nothing if it reconnects, and the
 * CRL refuses it at the handshake once Mosquitto restarts; the other box stays connected.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_UPLINK_FILTER, topics } from '../central/contract/index.ts';
import { startHub, type Hub } from '../central/hub.ts';
import { loadOrCreateHubCa } from '../central/fleet/hub-ca.ts';
import { createClaim } from '../central/fleet/claims.ts';
import { enrolWithClaim } from '../central/fleet/enrolment.ts';
import { revokeDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { DEFAULT_HUB_USERNAME, regenerateMosquittoFiles, writeMosquittoAuth } from '../central/broker/mosquitto-files.ts';
import { identityFrom, newKeyAndCsr, type BoxIdentity } from '../appliance/enrolment/identity.ts';
import { certificateAnswer, certificateTopics } from '../central/contract/enrolment.ts';
import { enrolBox } from './enrolment-support.ts';
import { freePort, startMosquittoWith, tempDir, type OwnMosquitto } from './mosquitto-support.ts';
import { until } from './support/wait.ts';

const hubPassword = randomBytes(18).toString('base64url');
const token = 'hub-admin-token-enrol-mosq-5678';
let db: HubDb;
let hub: Hub;
let broker: OwnMosquitto;
let dir: string;
let conf: string;
let boxPort: number;
let hubPort: number;
let a: BoxIdentity;
let b: BoxIdentity;
const open: mqtt.MqttClient[] = [];

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  dir = tempDir('simpul-enrol-mosq-');
  chmodSync(dir, 0o755);
  const ca = await loadOrCreateHubCa(join(dir, 'hub'));
  boxPort = await freePort();
  hubPort = await freePort();
  const files = await writeMosquittoAuth(db, {
    outDir: join(dir, 'broker'),
    hubPassword,
    boxAuth: 'certificate',
    certificates: { ca, now: new Date(), brokerNames: ['localhost', '127.0.0.1'] },
    listeners: { boxPort, boxHost: '127.0.0.1', hubPort, hubHost: '127.0.0.1' },
    broker: { user: 'mosquitto', persistenceDir: null, logDest: 'stderr' },
  });
  conf = files.confFile;
  expect(readFileSync(conf, 'utf8')).toMatch(/require_certificate true\nuse_identity_as_username true\ncrlfile .*crl\.pem\nuse_username_as_clientid true/);
  broker = await startMosquittoWith(conf, tempDir('simpul-enrol-mosq-run-'), boxPort);
  hub = await startHub(
    {
      httpPort: 0,
      httpHost: '127.0.0.1',
      logLevel: 'silent',
      dataDir: join(dir, 'hub'),
      adminToken: token,
      mqttUrl: `mqtt://127.0.0.1:${hubPort}`,
      mqttUsername: DEFAULT_HUB_USERNAME,
      mqttPassword: hubPassword,
      boxMqttUrl: `mqtts://localhost:${boxPort}`,
      mosquittoDir: join(dir, 'broker'),
    },
    { db, log: quietLog(), reloadBroker: () => broker.reload() },
  );
  a = (await enrolBox({ hubUrl: hub.url, db, facilityCode: '0112P001', boxDir: join(dir, 'box-a') })).identity;
  b = (await enrolBox({ hubUrl: hub.url, db, facilityCode: '0112P002', boxDir: join(dir, 'box-b') })).identity;
  expect(readFileSync(join(dir, 'broker', 'acl'), 'utf8')).toContain(`user ${b.deviceId}\n`);
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => {});
  await hub?.close();
  await broker?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const connectBox = (id: BoxIdentity, clientId = id.deviceId) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(`mqtts://localhost:${boxPort}`, {
      key: id.key,
      cert: id.certificate,
      ca: id.caCertificate,
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    client.once('connect', () => (open.push(client), resolve({ client, error: null })));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
    client.once('close', () => resolve({ client: null, error: 'closed' }));
  });
async function hubListener() {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hubPort}`, {
    clientId: `t-${randomBytes(3).toString('hex')}`,
    username: DEFAULT_HUB_USERNAME,
    password: hubPassword,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  open.push(c);
  await c.subscribeAsync(HUB_UPLINK_FILTER, { qos: 1 });
  const heard: string[] = [];
  c.on('message', (_t, p) => heard.push(p.toString()));
  return heard;
}

describe('boxes with certificates on Mosquitto', () => {
  it('a box speaks with its certificate, only as itself (the ACL on its CN), after the hub reloaded Mosquitto for it', async () => {
    const heard = await hubListener();
    const boxA = await until('A connected', async () => (await connectBox(a)).client, 10_000, 200);
    await boxA.publishAsync(topics.records(b.deviceId), 'a-as-b', { qos: 1 });
    await boxA.publishAsync(topics.records(a.deviceId), 'a-genuine', { qos: 1 });
    await until('A’s uplink at the hub', () => heard.includes('a-genuine'), 10_000);
    expect(heard).not.toContain('a-as-b');
  });

  it('one box’s certificate never takes another’s session: A with B’s client id is still A, and B stays connected', async () => {
    const heard = await hubListener();
    const boxB = (await connectBox(b)).client!;
    let bClosed = false;
    boxB.once('close', () => (bClosed = true));
    const aAsB = (await connectBox(a, b.deviceId)).client!;
    await aAsB.publishAsync(topics.records(b.deviceId), 'a-with-b-id', { qos: 1 });
    await boxB.publishAsync(topics.records(b.deviceId), 'b-genuine', { qos: 1 });
    await until('B’s uplink', () => heard.includes('b-genuine'), 10_000);
    expect(heard).not.toContain('a-with-b-id');
    expect(bClosed).toBe(false);
  });

  it('renewal over Mosquitto: B asks with a new CSR on its own uplink and gets a certificate for the new key on its own downlink', async () => {
    const boxB = (await connectBox(b)).client!;
    await boxB.subscribeAsync(certificateTopics.answer(b.deviceId), { qos: 1 });
    const answer = new Promise<Buffer>((r) => boxB.once('message', (_t, p) => r(p)));
    const { key, csr } = await newKeyAndCsr(b.deviceId);
    await boxB.publishAsync(certificateTopics.request(b.deviceId), JSON.stringify({ v: 1, csr }), { qos: 1 });
    const parsed = certificateAnswer.parse(JSON.parse((await answer).toString()));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const renewed = new X509Certificate(parsed.certificate);
    expect(renewed.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(renewed.subject).toBe(`CN=${b.deviceId}`);
    // The renewed certificate logs B in at once (the ACL is on the CN, nothing to reload).
    const again = await connectBox({ ...b, key, certificate: parsed.certificate });
    expect(again.error).toBeNull();
    await again.client!.endAsync();
  });

  it('revocation: A is put off at once, can do nothing if it comes back, the CRL refuses it after a restart; B stays connected', async () => {
    const heard = await hubListener();
    const boxA = (await connectBox(a)).client!;
    const boxB = (await connectBox(b)).client!;
    let aClosed = false;
    boxA.once('close', () => (aClosed = true));
    let bClosed = false;
    boxB.once('close', () => (bClosed = true));
    const res = await fetch(`${hub.url}/admin/devices/${a.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await until('A put off the broker', () => aClosed, 5000);
    expect(readFileSync(join(dir, 'broker', 'acl'), 'utf8')).not.toContain(a.deviceId);

    // A comes back with its certificate, still within its dates. Measured on Mosquitto 2.0.11: the
    // SIGHUP rereads the CRL, and the handshake is refused ("certificate revoked"). Had it not (older
    // versions, eclipse-mosquitto #35/#3568), the ACL has no line for A: it could do nothing.
    const back = await until(
      'A refused at the handshake',
      async () => {
        const r = await connectBox(a);
        if (r.client) {
          await r.client.publishAsync(topics.records(a.deviceId), 'a-after-revocation', { qos: 1 }).catch(() => {});
          await r.client.endAsync(true);
          return null;
        }
        return r.error;
      },
      10_000,
      200,
    );
    expect(back).toMatch(/certificate revoked/);
    // B's connection was never touched, and it still works.
    await boxB.publishAsync(topics.records(b.deviceId), 'b-after', { qos: 1 });
    await until('B’s uplink after the revocation', () => heard.includes('b-after'), 10_000);
    expect(heard).not.toContain('a-after-revocation');
    expect(bClosed).toBe(false);
    // And the reload with a crlfile did not break new connections (eclipse-mosquitto #2916).
    const newB = await connectBox(b);
    expect(newB.error).toBeNull();
    await newB.client!.endAsync();

    // The CRL backstop: after a restart Mosquitto refuses A's certificate at the handshake; B connects.
    await hub.close();
    broker.proc.kill('SIGTERM');
    await new Promise<void>((r) => (broker.proc.exitCode !== null ? r() : broker.proc.once('exit', () => r())));
    broker = await startMosquittoWith(conf, tempDir('simpul-enrol-mosq-run-'), boxPort);
    const afterRestart = await connectBox(a);
    expect(afterRestart.client).toBeNull();
    expect((await connectBox(b)).error).toBeNull();
  });

  it('what a SIGHUP alone does to a connected certificate client whose box was revoked (no takeover by the hub)', async () => {
    // Hub stopped (previous test): nothing but the files and the SIGHUP act here.
    const ca = await loadOrCreateHubCa(join(dir, 'hub'));
    const { code } = await createClaim(db, { facilityCode: '0112P003', validForMs: 86_400_000, now: new Date() });
    const { key, csr } = await newKeyAndCsr('0112P003');
    const e = await enrolWithClaim(db, ca, { claimCode: code, facilityCode: '0112P003', csr, now: new Date() });
    const c: BoxIdentity = identityFrom(key, { ...e, mqttUrl: `mqtts://localhost:${boxPort}` });
    await regenerateMosquittoFiles(db, join(dir, 'broker'), { ca, now: new Date() });
    broker.reload();
    const boxC = await until('C connected', async () => (await connectBox(c)).client, 10_000, 200);
    let cClosed = false;
    boxC.once('close', () => (cClosed = true));
    await revokeDevice(db, c.deviceId);
    await regenerateMosquittoFiles(db, join(dir, 'broker'), { ca, now: new Date() });
    broker.reload();
    await until('Mosquitto reloaded', () => /Reloading config/.test(broker.output()), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    // Measured on Mosquitto 2.0.11: see the line this prints; the hub does not rely on either answer.
    console.log(`Mosquitto SIGHUP with the box revoked (ACL and CRL rewritten): its open certificate connection was ${cClosed ? 'closed' : 'left open'}`);
    if (!cClosed) {
      // Left open, it can still do nothing: no ACL line for it.
      const heardNothing = await hubListener();
      await boxC.publishAsync(topics.records(c.deviceId), 'c-after', { qos: 1 }).catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
      expect(heardNothing).not.toContain('c-after');
    }
  });
});
