/**
 * Each box speaks only as itself, on Mosquitto: the password file and ACL generated from the hub
 * database (provisioning/mosquitto.ts) make our own Mosquitto refuse unknown, wrong-secret and
 * revoked boxes, and hold each box to its own topics. (The embedded broker: sync-identity.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_UPLINK_FILTER, decodeFrame, encodeFrame, topics } from '../central/contract/index.ts';
import { startHub } from '../central/hub.ts';
import { generateRecords } from '../central/testing/records.ts';
import { enrolDevice, revokeDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog, until } from '../central/testing/stack.ts';
import { main as cli } from '../provisioning/cli.ts';
import { DEFAULT_HUB_USERNAME, mosquittoPasswordHash, verifyMosquittoPasswordHash, writeMosquittoAuth } from '../provisioning/mosquitto.ts';
import { freePort, startMosquitto, tempDir, type OwnMosquitto } from './mosquitto-support.ts';

const run = randomBytes(3).toString('hex');
const hubPassword = randomBytes(18).toString('base64url');
let db: HubDb;
let broker: OwnMosquitto;
let dir: string;
let a: { deviceId: string; secret: string };
let b: { deviceId: string; secret: string };
const open: mqtt.MqttClient[] = [];

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  a = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `m${run}-boxa` });
  b = await enrolDevice(db, { facilityCode: '0112P002', deviceId: `m${run}-boxb` });
  dir = tempDir('simpul-mosq-id-');
  const files = await writeMosquittoAuth(db, { outDir: dir, hubPassword });
  expect(files.devices).toEqual([a.deviceId, b.deviceId]);
  const port = await freePort();
  broker = await startMosquitto(dir, port, [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${files.passwordFile}`, `acl_file ${files.aclFile}`]);
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => {});
  await broker?.close();
  await db?.close();
});

const url = () => `mqtt://127.0.0.1:${broker.port}`;
const connect = (username: string, password: string, protocolVersion: 4 | 5 = 4) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(url(), { clientId: username, username, password, protocolVersion, reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => (open.push(client), resolve({ client, error: null })));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
    client.once('close', () => resolve({ client: null, error: 'closed' }));
  });
const connected = async (username: string, password: string, v: 4 | 5 = 4) => {
  const r = await connect(username, password, v);
  expect(r.error, `${username} connects`).toBeNull();
  return r.client!;
};
/** Messages a client gets, by topic. */
const inbox = (c: mqtt.MqttClient) => {
  const got: { topic: string; body: string; raw: Buffer }[] = [];
  c.on('message', (topic, p) => got.push({ topic, body: p.toString(), raw: p }));
  return got;
};

describe('Mosquitto password file format', () => {
  it('our $7$ hash is the one mosquitto_passwd makes, and Mosquitto accepts it (below)', () => {
    const f = join(dir, 'check.passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', f, 'someone', 'pa55-word']);
    const line = readFileSync(f, 'utf8').trim();
    const hash = line.slice('someone:'.length);
    const [, , iter, salt] = hash.split('$');
    expect(mosquittoPasswordHash('pa55-word', { iterations: Number(iter), salt: Buffer.from(salt, 'base64') })).toBe(hash);
    expect(verifyMosquittoPasswordHash('pa55-word', hash)).toBe(true);
    expect(verifyMosquittoPasswordHash('pa55-wore', hash)).toBe(false);
    const ours = readFileSync(join(dir, 'passwd'), 'utf8');
    expect(ours).toMatch(new RegExp(`^${a.deviceId}:\\$7\\$101\\$`, 'm'));
    expect(ours).not.toContain(a.secret);
  });
});

describe('identity on Mosquitto (password file + ACL patterns)', () => {
  it('box A publishes to its own uplink (the hub sees it) but not as box B', async () => {
    const hub = await connected(DEFAULT_HUB_USERNAME, hubPassword);
    await hub.subscribeAsync(HUB_UPLINK_FILTER, { qos: 1 });
    const heard = inbox(hub);
    const boxA = await connected(a.deviceId, a.secret);
    await boxA.publishAsync(topics.records(b.deviceId), 'forged-as-b', { qos: 1 }); // MQTT 3.1.1: PUBACK, dropped
    await boxA.publishAsync(topics.status(b.deviceId), 'forged-status', { qos: 1 });
    await boxA.publishAsync(topics.records(a.deviceId), 'genuine', { qos: 1 });
    // Same connection, in order: once 'genuine' is here, the forged ones would have been too.
    await until(() => heard.some((m) => m.body === 'genuine'), 'A’s own uplink at the hub', 10_000);
    expect(heard.map((m) => m.topic)).toEqual([topics.records(a.deviceId)]);

    // MQTT 5: the broker says so (PUBACK 0x87 Not authorized), and still delivers nothing.
    const boxA5 = await connected(a.deviceId, a.secret, 5);
    await expect(boxA5.publishAsync(topics.records(b.deviceId), 'forged-v5', { qos: 1 })).rejects.toThrow();
    await boxA5.publishAsync(topics.records(a.deviceId), 'genuine-v5', { qos: 1 });
    await until(() => heard.some((m) => m.body === 'genuine-v5'), 'A’s v5 uplink at the hub', 10_000);
    expect(heard.map((m) => m.body)).toEqual(['genuine', 'genuine-v5']);
    await boxA5.endAsync();
  });

  it('box A cannot read box B’s ack or downlink; B and A read their own', async () => {
    const hub = await connected(DEFAULT_HUB_USERNAME, hubPassword);
    const boxA = await connected(a.deviceId, a.secret);
    const boxB = await connected(b.deviceId, b.secret);
    const heardA = inbox(boxA);
    const heardB = inbox(boxB);
    await boxB.subscribeAsync([topics.ack(b.deviceId), `simpul/v1/${b.deviceId}/down/#`], { qos: 1 });
    await boxA.subscribeAsync([topics.ack(a.deviceId), `simpul/v1/${a.deviceId}/down/#`], { qos: 1 });
    // Mosquitto 2.0 grants these SUBACKs (its read ACL filters each delivered message instead, on
    // MQTT 5 too): what matters is that nothing of B's arrives.
    for (const f of [topics.ack(b.deviceId), `simpul/v1/${b.deviceId}/down/#`, 'simpul/v1/+/down/#', 'simpul/v1/+/ack', '#']) {
      await boxA.subscribeAsync(f, { qos: 1 }).catch(() => {});
    }
    await hub.publishAsync(topics.ack(b.deviceId), 'ack-for-b', { qos: 1 });
    await hub.publishAsync(topics.down(b.deviceId), 'down-for-b', { qos: 1 });
    await hub.publishAsync(topics.down(a.deviceId), 'down-for-a', { qos: 1 });
    await hub.publishAsync(topics.ack(a.deviceId), 'ack-for-a', { qos: 1 });
    await until(() => heardB.length >= 2 && heardA.some((m) => m.body === 'ack-for-a'), 'both boxes’ own messages', 10_000);
    expect(heardB.map((m) => m.body).sort()).toEqual(['ack-for-b', 'down-for-b']);
    expect(heardA.map((m) => m.body).sort()).toEqual(['ack-for-a', 'down-for-a']);
    // A box cannot write another's downlink either (or its own: only the hub writes there).
    await boxA.publishAsync(topics.down(b.deviceId), 'forged-down', { qos: 1 });
    await hub.publishAsync(topics.ack(b.deviceId), 'ack-for-b-2', { qos: 1 });
    await until(() => heardB.some((m) => m.body === 'ack-for-b-2'), 'B’s second ack', 10_000);
    expect(heardB.map((m) => m.body)).not.toContain('forged-down');
  });

  it('refuses a wrong secret, an unknown box and no credentials', async () => {
    expect((await connect(a.deviceId, b.secret)).error).toMatch(/Not authorized|Bad username/i);
    expect((await connect(a.deviceId, 'wrong-secret-wrong-secret')).error).toMatch(/Not authorized|Bad username/i);
    expect((await connect(`m${run}-nobody`, a.secret)).error).toMatch(/Not authorized|Bad username/i);
    expect((await connect(DEFAULT_HUB_USERNAME, 'not-the-hub-password')).error).toMatch(/Not authorized|Bad username/i);
    const anon = await new Promise<string | null>((resolve) => {
      const c = mqtt.connect(url(), { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
      c.once('connect', () => (c.end(true), resolve(null)));
      c.once('error', (e) => (c.end(true), resolve(e.message)));
    });
    expect(anon).toMatch(/Not authorized|Bad username/i);
  });

  it('the hub runs on these credentials: its shared subscription gets B’s batch, B gets the ack', async () => {
    const hub = await startHub(
      { httpPort: 0, httpHost: '127.0.0.1', logLevel: 'silent', mqttUrl: url(), mqttUsername: DEFAULT_HUB_USERNAME, mqttPassword: hubPassword, sharedGroup: 'ingest' },
      { db, log: quietLog() },
    );
    try {
      const boxB = await connected(b.deviceId, b.secret);
      await boxB.subscribeAsync(topics.ack(b.deviceId), { qos: 1 });
      const acks = inbox(boxB);
      const r = generateRecords(1, { seed: 5 })[0];
      const frame = encodeFrame({ v: 1, kind: 'records', batch: 'b1', records: [{ seq: 1, type: r.type, sv: 1, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }] });
      await boxB.publishAsync(topics.records(b.deviceId), frame, { qos: 1 });
      await until(() => acks.length > 0, 'the hub’s ack to B', 10_000);
      const ack = decodeFrame('ack', acks[0].raw);
      expect(ack.ok && { batch: ack.message.batch, stored: ack.message.stored }).toEqual({ batch: 'b1', stored: [1] });
      const stored = await db.query<{ device_id: string }>(`SELECT device_id FROM records WHERE type = $1 AND entity_id = $2 AND entity_version = $3`, [r.type, r.entityId, r.entityVersion]);
      expect(stored.rows).toEqual([{ device_id: b.deviceId }]);
      await boxB.endAsync();
    } finally {
      await hub.close();
    }
  });

  it('use_username_as_clientid on the boxes’ listener: a box is one session whatever client id it sends; hubs share a listener without it', async () => {
    const d = tempDir('simpul-mosq-uuc-');
    const files = await writeMosquittoAuth(db, { outDir: d, hubPassword });
    const boxPort = await freePort();
    const hubPort = await freePort();
    const m = await startMosquitto(d, boxPort, [
      'allow_anonymous false', `password_file ${files.passwordFile}`, `acl_file ${files.aclFile}`,
      `listener ${boxPort} 127.0.0.1`, 'use_username_as_clientid true',
      `listener ${hubPort} 127.0.0.1`,
    ]);
    const clients: mqtt.MqttClient[] = [];
    const on = async (port: number, clientId: string, username: string, password: string) => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 5000 });
      clients.push(c);
      await new Promise<void>((res, rej) => (c.once('connect', () => res()), c.once('error', rej)));
      return c;
    };
    try {
      // Two hub processes on the hub listener, same username: both stay connected ($share needs that).
      const hub1 = await on(hubPort, 'hub-1', DEFAULT_HUB_USERNAME, hubPassword);
      const hub2 = await on(hubPort, 'hub-2', DEFAULT_HUB_USERNAME, hubPassword);
      await hub1.subscribeAsync(HUB_UPLINK_FILTER, { qos: 1 });
      const heard = inbox(hub1);
      // Box A with any client id is A; its uplink reaches the hub.
      const boxA = await on(boxPort, 'not-my-device-id', a.deviceId, a.secret);
      await boxA.publishAsync(topics.records(a.deviceId), 'genuine-uuc', { qos: 1 });
      await until(() => heard.some((x) => x.body === 'genuine-uuc'), 'A’s uplink through the boxes’ listener', 10_000);
      // A second connection as A takes the session over: one box, one session.
      const aClosed = new Promise<void>((r) => boxA.once('close', () => r()));
      await on(boxPort, 'another-id', a.deviceId, a.secret);
      await aClosed;
      expect(hub1.connected && hub2.connected).toBe(true);
      // Which is why hubs must not use the boxes' listener: there two hub processes are one session.
      const onBoxes = await on(boxPort, 'hub-1', DEFAULT_HUB_USERNAME, hubPassword);
      const kicked = new Promise<void>((r) => onBoxes.once('close', () => r()));
      await on(boxPort, 'hub-2', DEFAULT_HUB_USERNAME, hubPassword);
      await kicked;
    } finally {
      for (const c of clients) await c.endAsync(true).catch(() => {});
      await m.close();
    }
  });

  it('a revoked box is refused after the files are regenerated (CLI) and Mosquitto reloads (SIGHUP)', async () => {
    await revokeDevice(db, a.deviceId);
    // The CLI's own path, against this database: writes passwd + acl into the same dir.
    const files = await writeMosquittoAuth(db, { outDir: dir, hubPassword });
    expect(files.devices).toEqual([b.deviceId]);
    expect(readFileSync(files.passwordFile, 'utf8')).not.toContain(a.deviceId);
    broker.reload();
    await until(async () => {
      const r = await connect(a.deviceId, a.secret);
      if (r.client) await r.client.endAsync(true);
      return r.error !== null && /Not authorized|Bad username/i.test(r.error);
    }, 'Mosquitto to refuse the revoked box', 10_000, 200);
    await (await connected(b.deviceId, b.secret)).endAsync();
    await (await connected(DEFAULT_HUB_USERNAME, hubPassword)).endAsync();
  });
});

describe('provisioning CLI: mosquitto subcommand', () => {
  it('writes passwd, acl and hub.secret from the hub database', async () => {
    const data = tempDir('simpul-mosq-cli-');
    const out = join(data, 'mosq');
    const env = { ...process.env, DATABASE_URL: undefined, MQTT_PASSWORD: undefined } as NodeJS.ProcessEnv;
    try {
      expect(await cli(['enrol', '--data-dir', join(data, 'hub'), '--facility', '0112P003', '--mqtt-url', 'mqtts://hub.example:8883', '--device-id', `m${run}-cli`, '--out', join(data, 'box.json')], env)).toBe(0);
      expect(await cli(['mosquitto', '--data-dir', join(data, 'hub'), '--out', out], env)).toBe(0);
      const passwd = readFileSync(join(out, 'passwd'), 'utf8');
      const box = JSON.parse(readFileSync(join(data, 'box.json'), 'utf8'));
      const hubSecret = readFileSync(join(out, 'hub.secret'), 'utf8').trim();
      const line = (u: string) => passwd.split('\n').find((l) => l.startsWith(`${u}:`))!.slice(u.length + 1);
      expect(verifyMosquittoPasswordHash(box.deviceSecret, line(`m${run}-cli`))).toBe(true);
      expect(verifyMosquittoPasswordHash(hubSecret, line(DEFAULT_HUB_USERNAME))).toBe(true);
      expect(readFileSync(join(out, 'acl'), 'utf8')).toContain('pattern write simpul/v1/%u/up/#');
    } finally {
      (await import('node:fs')).rmSync(data, { recursive: true, force: true });
    }
  });
});
