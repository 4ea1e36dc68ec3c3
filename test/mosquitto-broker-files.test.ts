/**
 * The production broker's files, as provisioning/mosquitto.ts writes them, run by a real
 * Mosquitto started as root on the generated mosquitto.conf alone, so that it drops to its own
 * `mosquitto` user as in production: it starts, boxes and the hub connect, and after a
 * regeneration (a box enrolled) and a SIGHUP new connections still work, the new box's included.
 * Before: the files were root-owned 0640 (root:root where the group was missing), Mosquitto as
 * its own user could not read them, refused to start, and after a SIGHUP refused everyone.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MQTT_PACKET_BYTES } from '../central/contract/index.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { DEFAULT_HUB_USERNAME, systemUser, writeMosquittoAuth, type MosquittoBroker, type MosquittoListeners } from '../provisioning/mosquitto.ts';
import { freePort, startMosquittoWith, tempDir, type OwnMosquitto } from './mosquitto-support.ts';
import { until } from './support/wait.ts';

const run = randomBytes(3).toString('hex');
const hubPassword = randomBytes(18).toString('base64url');
const isRoot = process.getuid?.() === 0;
const brokerAccount = systemUser('mosquitto');
let db: HubDb;
let broker: OwnMosquitto;
let dir: string;
let out: string;
let listeners: MosquittoListeners;
let brokerSettings: MosquittoBroker;
const open: mqtt.MqttClient[] = [];
let boxA: { deviceId: string; secret: string };

const connect = (port: number, username: string, password: string) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: username === DEFAULT_HUB_USERNAME ? `hub-${randomBytes(3).toString('hex')}` : username,
      username,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    client.once('connect', () => (open.push(client), resolve({ client, error: null })));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
    client.once('close', () => resolve({ client: null, error: 'closed' }));
  });

const generated = () => ['passwd', 'hub.passwd', 'acl', 'mosquitto.conf'].map((f) => join(out, f));

beforeAll(async () => {
  expect(brokerAccount, 'the mosquitto user (apt-get install mosquitto makes it)').not.toBeNull();
  db = await openMemoryHubDatabase();
  dir = tempDir('simpul-mosq-files-');
  chmodSync(dir, 0o755); // like /etc: anyone may pass through
  out = join(dir, 'broker');
  const persist = join(dir, 'persist');
  mkdirSync(persist, { mode: 0o700 });
  if (isRoot) chownSync(persist, brokerAccount!.uid, brokerAccount!.gid); // like /var/lib/mosquitto
  listeners = { boxPort: await freePort(), boxHost: '127.0.0.1', hubPort: await freePort(), hubHost: '127.0.0.1' };
  brokerSettings = { user: 'mosquitto', persistenceDir: persist, logDest: 'stderr' };
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => {});
  await broker?.close();
  await db?.close();
});

describe('the generated mosquitto.conf, run by Mosquitto as its own user', () => {
  it('files belong to the broker’s user, 0600, in a root:mosquitto 0750 dir; Mosquitto starts on them alone and drops to its user', async () => {
    const a = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `f${run}-a` });
    boxA = a;
    const files = await writeMosquittoAuth(db, { outDir: out, hubPassword, listeners, broker: brokerSettings });
    expect(files.confFile).toBe(join(out, 'mosquitto.conf'));
    expect(files.warning).toBeNull();
    for (const f of generated()) {
      const st = statSync(f);
      expect(st.mode & 0o777, f).toBe(0o600);
      if (isRoot) expect([st.uid, st.gid], f).toEqual([brokerAccount!.uid, brokerAccount!.gid]);
    }
    const d = statSync(out);
    expect(d.mode & 0o777).toBe(0o750);
    if (isRoot) expect([d.uid, d.gid]).toEqual([0, brokerAccount!.gid]);

    const conf = readFileSync(files.confFile, 'utf8');
    expect(conf).toMatch(/^per_listener_settings true$/m);
    expect(conf).toMatch(/^user mosquitto$/m);
    expect(conf).toContain(`max_packet_size ${MAX_MQTT_PACKET_BYTES}`);
    expect(conf).toMatch(/^persistence true$/m);
    expect(conf).toMatch(/^max_queued_messages \d+$/m);
    expect(conf).toMatch(new RegExp(`^listener ${listeners.boxPort} 127\\.0\\.0\\.1\\n(?:.*\\n)*?use_username_as_clientid true$`, 'm'));

    broker = await startMosquittoWith(files.confFile, dir, listeners.boxPort);
    if (isRoot) {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${broker.proc.pid}/status`, 'utf8'))![1]);
      expect(uid).toBe(brokerAccount!.uid);
    }
    expect((await connect(listeners.hubPort, DEFAULT_HUB_USERNAME, hubPassword)).error).toBeNull();
    expect((await connect(listeners.boxPort, a.deviceId, a.secret)).error).toBeNull();
  });

  it('after a regeneration (a new box) and SIGHUP, the new box, the old one and the hub all connect; owner and mode are kept', async () => {
    const b = await enrolDevice(db, { facilityCode: '0112P002', deviceId: `f${run}-b` });
    const before = (await connect(listeners.boxPort, `f${run}-a`, 'x')).error;
    expect(before).toMatch(/Not authorized|Bad username/i);
    const files = await writeMosquittoAuth(db, { outDir: out, hubPassword, listeners, broker: brokerSettings });
    expect(files.devices).toEqual([`f${run}-a`, b.deviceId]);
    for (const f of generated()) {
      const st = statSync(f);
      expect(st.mode & 0o777, f).toBe(0o600);
      if (isRoot) expect(st.uid, f).toBe(brokerAccount!.uid);
    }
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    broker.reload();
    await until(
      'Mosquitto to take the new box after SIGHUP',
      async () => {
        const r = await connect(listeners.boxPort, b.deviceId, b.secret);
        return r.error === null;
      },
      10_000,
      100,
    );
    expect((await connect(listeners.hubPort, DEFAULT_HUB_USERNAME, hubPassword)).error).toBeNull();
    expect(broker.output()).not.toMatch(/Unable to open|Permission denied|Error/i);
  });

  it('a connect storm’s reports wait for the hub: more than the old limit (20,000) queued while it is away, every one delivered when it is back', async () => {
    const clientId = `hub-storm-${run}`;
    const away = await mqtt.connectAsync(`mqtt://127.0.0.1:${listeners.hubPort}`, {
      clientId,
      username: DEFAULT_HUB_USERNAME,
      password: hubPassword,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 0,
    });
    await away.subscribeAsync('simpul/v1/+/up/#', { qos: 1 });
    await away.endAsync();
    const box = await mqtt.connectAsync(`mqtt://127.0.0.1:${listeners.boxPort}`, {
      clientId: boxA.deviceId,
      username: boxA.deviceId,
      password: boxA.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const n = 22_500;
    for (let i = 0; i < n; i += 500)
      await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => box.publishAsync(`simpul/v1/${boxA.deviceId}/up/status`, `{"i":${i + j}}`, { qos: 1 })));
    await box.endAsync();
    const seen = new Set<number>();
    // Listening before the CONNACK: the queued messages follow it at once.
    const back = mqtt.connect(`mqtt://127.0.0.1:${listeners.hubPort}`, {
      clientId,
      username: DEFAULT_HUB_USERNAME,
      password: hubPassword,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 0,
    });
    back.on('message', (_t, p) => seen.add(JSON.parse(p.toString()).i));
    open.push(back);
    await until('every queued report delivered to the hub', async () => seen.size >= n, 120_000, 200).catch((e) => {
      throw new Error(`${(e as Error).message}: ${seen.size} of ${n}; broker said: ${broker.output().slice(-500)}`);
    });
    expect(seen.size).toBe(n);
    expect(broker.output()).not.toMatch(/Outgoing messages are being dropped/i);
  }, 240_000);

  it('persistence is written by Mosquitto as its own user where the configuration says', async () => {
    const exited = new Promise<void>((r) => broker.proc.once('exit', () => r()));
    broker.proc.kill('SIGTERM'); // Mosquitto saves its database on the way out
    await exited;
    const saved = statSync(join(dir, 'persist', 'mosquitto.db'));
    if (isRoot) expect(saved.uid).toBe(brokerAccount!.uid);
    expect(broker.output()).not.toMatch(/Error saving in-memory database/i);
  });
});
