/**
 * Boxes enrolled with a claim code on the hub's embedded broker (Aedes over TLS, client
 * certificates from the hub CA): a box syncs with its certificate over mqtts; a box's certificate
 * is never accepted as another box's client id or username, nor a certificate from another CA;
 * the box renews its certificate itself over its link well before expiry and reconnects with it,
 * without a restart; a revoked box is put off at once and refused after, the others stay
 * connected. The box's clock is injected (renewal is due at day 60 of 90).
 */
import { webcrypto } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../central/hub.ts';
import { topics } from '../central/contract/index.ts';
import type { HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { readIdentity, type BoxIdentity } from '../appliance/enrolment/identity.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync, type Sync } from '../appliance/sync/index.ts';
import { enrolBox, startEnrolmentHub, writeRecords } from './enrolment-support.ts';
import { tempDir } from './mosquitto-support.ts';
import { until } from './support/wait.ts';

const DAY = 86_400_000;
const token = 'hub-admin-token-enrol-test-1234';
let db: HubDb;
let hub: Hub;
let dir: string;
let a: BoxIdentity;
let b: BoxIdentity;
const open: mqtt.MqttClient[] = [];

beforeAll(async () => {
  dir = tempDir('simpul-enrol-embedded-');
  ({ hub, db } = await startEnrolmentHub(dir, token));
  expect(hub.boxMqttUrl).toMatch(/^mqtts:\/\/localhost:\d+$/);
  a = (await enrolBox({ hubUrl: hub.url, db, facilityCode: '0112P001', boxDir: join(dir, 'box-a') })).identity;
  b = (await enrolBox({ hubUrl: hub.url, db, facilityCode: '0112P002', boxDir: join(dir, 'box-b') })).identity;
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => {});
  await hub?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw MQTT client with a certificate (or none), as a box or an impostor would connect. */
const connect = (o: { key?: string; cert?: string; ca: string; clientId: string; username?: string; password?: string }) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(hub.boxMqttUrl!, { ...o, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, rejectUnauthorized: true });
    client.once('connect', () => (open.push(client), resolve({ client, error: null })));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
    client.once('close', () => resolve({ client: null, error: 'closed' }));
  });

async function boxSync(boxDir: string, now: () => Date = () => new Date()) {
  const box = new GroupCommitDb(await openMemoryDatabase());
  const sync = await startSync({
    db: box,
    log: quietLog(),
    now,
    renewalCheckMs: 100,
    config: { dataDir: boxDir, facility: { code: '0112P001' }, timeZone: 'Asia/Jakarta', syncPollMs: 50, syncBackoffMinMs: 50, syncBackoffMaxMs: 400, syncStatusIntervalMs: 300 },
  });
  return { box, sync };
}
const hubCount = async (deviceId: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE device_id = $1`, [deviceId])).rows[0].n;

describe('a box with its certificate on the embedded broker', () => {
  it('syncs over mqtts with the certificate the hub signed (no password anywhere in its settings)', async () => {
    const { box, sync } = await boxSync(join(dir, 'box-a'));
    try {
      await writeRecords(box, 20, 3);
      await until('A’s records at the hub', async () => (await hubCount(a.deviceId)) === 20, 20_000);
      expect((await sync.stats()).deviceId).toBe(a.deviceId);
      expect(hub.broker!.connectedDevices()).toContain(a.deviceId);
    } finally {
      await sync.close();
      await box.close();
    }
  });

  it('one box’s certificate is never accepted as another’s: not as its client id, not as its username; nor a certificate from another CA, nor none', async () => {
    const asA = { key: a.key, cert: a.certificate, ca: a.caCertificate };
    expect((await connect({ ...asA, clientId: b.deviceId })).error).toMatch(/client id|Identifier rejected|closed/i);
    expect((await connect({ ...asA, clientId: a.deviceId, username: b.deviceId })).error).toMatch(/client id|Identifier rejected|closed/i);
    // B's own password is nothing here: B was enrolled by claim and has none.
    expect((await connect({ ca: a.caCertificate, clientId: b.deviceId, username: b.deviceId, password: 'anything-at-all-123' })).error).not.toBeNull();
    // A certificate naming A from a CA of someone else's making.
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const forged = await x509.X509CertificateGenerator.createSelfSigned({ name: `CN=${a.deviceId}`, keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    const forgedKey = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey), 'PRIVATE KEY');
    expect((await connect({ key: forgedKey, cert: forged.toString('pem'), ca: a.caCertificate, clientId: a.deviceId })).client).toBeNull();
    // And the real one works, and may publish only its own uplink.
    const ok = await connect({ ...asA, clientId: a.deviceId });
    expect(ok.error).toBeNull();
    const closed = new Promise<void>((r) => ok.client!.once('close', () => r()));
    ok.client!.publish(topics.records(b.deviceId), 'forged', { qos: 1 });
    await closed; // MQTT 3.1.1 has no negative PUBACK: the broker closes the connection
  });

  it('renews its certificate over its link at day 60 of 90, stores the new key with it and reconnects, without a restart', async () => {
    let boxClock = new Date();
    const { box, sync } = await boxSync(join(dir, 'box-a'), () => boxClock);
    try {
      await until('A connected', async () => (await sync.stats()).connected);
      const before = readIdentity(join(dir, 'box-a'))!;
      await new Promise((r) => setTimeout(r, 300)); // several checks: nothing is due yet
      expect(readIdentity(join(dir, 'box-a'))!.certificate).toBe(before.certificate);
      boxClock = new Date(Date.now() + 61 * DAY);
      await until('a renewed certificate in identity.json', () => readIdentity(join(dir, 'box-a'))!.certificate !== before.certificate, 20_000);
      const after = readIdentity(join(dir, 'box-a'))!;
      expect(after.key).not.toBe(before.key);
      expect(after.deviceId).toBe(a.deviceId);
      expect(Date.parse(after.notAfter)).toBeGreaterThan(Date.parse(before.notAfter));
      expect(readFileSync(join(dir, 'box-a', 'identity.json'), 'utf8')).toContain(after.certificate.split('\n')[1]);
      // Reconnected with the new certificate, same process, and records still flow.
      await until('A connected again', async () => (await sync.stats()).connected && hub.broker!.connectedDevices().includes(a.deviceId), 20_000);
      await writeRecords(box, 5, 91);
      await until('A’s new records acknowledged by the hub', async () => (await sync.stats()).pending === 0, 20_000);
      const certs = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM device_certificates WHERE device_id = $1`, [a.deviceId]);
      expect(certs.rows[0].n).toBe(2);
      // The old certificate still works until it expires (a box mid-renewal is never locked out).
      expect((await connect({ key: before.key, cert: before.certificate, ca: before.caCertificate, clientId: `${a.deviceId}` })).error).toBeNull();
    } finally {
      await sync.close();
      await box.close();
    }
  });

  it('a revoked box is put off at once and refused after; the other box stays connected and keeps publishing', async () => {
    const boxA = await connect({ key: a.key, cert: a.certificate, ca: a.caCertificate, clientId: a.deviceId });
    const boxB = await connect({ key: b.key, cert: b.certificate, ca: b.caCertificate, clientId: b.deviceId });
    expect([boxA.error, boxB.error]).toEqual([null, null]);
    let aClosed = false;
    boxA.client!.once('close', () => (aClosed = true));
    let bClosed = false;
    boxB.client!.once('close', () => (bClosed = true));
    const res = await fetch(`${hub.url}/admin/devices/${a.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    // "At once": by the time the hub answers, the broker has closed A's connection.
    await until('A’s connection closed', () => aClosed, 2000);
    expect((await connect({ key: a.key, cert: a.certificate, ca: a.caCertificate, clientId: a.deviceId })).client).toBeNull();
    await boxB.client!.publishAsync(topics.status(b.deviceId), 'still here', { qos: 1 });
    expect(bClosed).toBe(false);
    expect(hub.broker!.connectedDevices()).toEqual([b.deviceId]);
  });
});
