/**
 * Each box speaks only as itself, on Mosquitto started with exactly the files
 * provisioning/mosquitto.ts generates from the hub database (mosquitto.conf with both listeners,
 * the password files and the ACL; as root, Mosquitto drops to its `mosquitto` user as in
 * production): it refuses unknown, wrong-secret and revoked boxes, holds each box to its own
 * topics, keeps box B connected when box A sends B's client id, and disconnects a sender of an
 * oversized packet. (The embedded broker: sync-identity.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_UPLINK_FILTER, MAX_FRAME_BYTES, MAX_MQTT_PACKET_BYTES, decodeFrame, encodeFrame, topics } from '../central/contract/index.ts';
import { startHub } from '../central/hub.ts';
import { generateRecords } from '../central/testing/records.ts';
import { enrolDevice, revokeDevice } from '../central/fleet/devices.ts';
import { openMemoryHubDatabase, type HubDb } from '../central/storage/db.ts';
import { quietLog } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';
import { main as cli } from '../provisioning/cli.ts';
import { DEFAULT_BROKER, DEFAULT_HUB_USERNAME, writeMosquittoAuth } from '../provisioning/mosquitto.ts';
import { mosquittoPasswordHash, verifyMosquittoPasswordHash } from '../central/fleet/mosquitto-password.ts';
import { freePort, startMosquittoWith, tempDir, type OwnMosquitto } from './mosquitto-support.ts';
import { publishOversized } from './mqtt-oversize.ts';

const run = randomBytes(3).toString('hex');
const hubPassword = randomBytes(18).toString('base64url');
let db: HubDb;
let broker: OwnMosquitto;
let dir: string;
let out: string;
let boxPort: number;
let hubPort: number;
let a: { deviceId: string; secret: string };
let b: { deviceId: string; secret: string };
const open: mqtt.MqttClient[] = [];
/** The test's Mosquitto keeps nothing on disk (the machine's own one uses /var/lib/mosquitto). */
const noPersistence = { ...DEFAULT_BROKER, persistenceDir: null };

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  a = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `m${run}-boxa` });
  b = await enrolDevice(db, { facilityCode: '0112P002', deviceId: `m${run}-boxb` });
  dir = tempDir('simpul-mosq-id-');
  // Like /etc: Mosquitto's user may pass through; the generated dir itself is root:mosquitto 0750.
  chmodSync(dir, 0o755);
  out = join(dir, 'simpul');
  boxPort = await freePort();
  hubPort = await freePort();
  const files = await writeMosquittoAuth(db, { outDir: out, hubPassword, listeners: { boxPort, boxHost: '127.0.0.1', hubPort, hubHost: '127.0.0.1' }, broker: noPersistence });
  expect(files.devices).toEqual([a.deviceId, b.deviceId]);
  broker = await startMosquittoWith(files.confFile, dir, boxPort);
});
afterAll(async () => {
  for (const c of open) await c.endAsync(true).catch(() => {});
  await broker?.close();
  await db?.close();
});

/** The hub user's listener for the hub user, the boxes' for everyone else (unless `port` says). */
const url = (username?: string, port?: number) => `mqtt://127.0.0.1:${port ?? (username === DEFAULT_HUB_USERNAME ? hubPort : boxPort)}`;
const connect = (username: string, password: string, protocolVersion: 4 | 5 = 4, o: { port?: number; clientId?: string } = {}) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(url(username, o.port), { clientId: o.clientId ?? username, username, password, protocolVersion, reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => (open.push(client), resolve({ client, error: null })));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
    client.once('close', () => resolve({ client: null, error: 'closed' }));
  });
const connected = async (username: string, password: string, v: 4 | 5 = 4, o: { port?: number; clientId?: string } = {}) => {
  const r = await connect(username, password, v, o);
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
    const ours = readFileSync(join(out, 'passwd'), 'utf8');
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
    await until('A’s own uplink at the hub', () => heard.some((m) => m.body === 'genuine'), 10_000);
    expect(heard.map((m) => m.topic)).toEqual([topics.records(a.deviceId)]);

    // MQTT 5: the broker says so (PUBACK 0x87 Not authorized), and still delivers nothing.
    const boxA5 = await connected(a.deviceId, a.secret, 5);
    await expect(boxA5.publishAsync(topics.records(b.deviceId), 'forged-v5', { qos: 1 })).rejects.toThrow();
    await boxA5.publishAsync(topics.records(a.deviceId), 'genuine-v5', { qos: 1 });
    await until('A’s v5 uplink at the hub', () => heard.some((m) => m.body === 'genuine-v5'), 10_000);
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
    await until('both boxes’ own messages', () => heardB.length >= 2 && heardA.some((m) => m.body === 'ack-for-a'), 10_000);
    expect(heardB.map((m) => m.body).sort()).toEqual(['ack-for-b', 'down-for-b']);
    expect(heardA.map((m) => m.body).sort()).toEqual(['ack-for-a', 'down-for-a']);
    // A box cannot write another's downlink either (or its own: only the hub writes there).
    await boxA.publishAsync(topics.down(b.deviceId), 'forged-down', { qos: 1 });
    await hub.publishAsync(topics.ack(b.deviceId), 'ack-for-b-2', { qos: 1 });
    await until('B’s second ack', () => heardB.some((m) => m.body === 'ack-for-b-2'), 10_000);
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
    // Each listener has its own users: a box cannot log in where the hubs connect, nor the hub where boxes do.
    expect((await connect(a.deviceId, a.secret, 4, { port: hubPort })).error).toMatch(/Not authorized|Bad username/i);
    expect((await connect(DEFAULT_HUB_USERNAME, hubPassword, 4, { port: boxPort })).error).toMatch(/Not authorized|Bad username/i);
  });

  it('the hub runs on these credentials: its shared subscription gets B’s batch, B gets the ack', async () => {
    const hub = await startHub(
      {
        httpPort: 0,
        httpHost: '127.0.0.1',
        logLevel: 'silent',
        mqttUrl: url(DEFAULT_HUB_USERNAME),
        mqttUsername: DEFAULT_HUB_USERNAME,
        mqttPassword: hubPassword,
        sharedGroup: 'ingest',
      },
      { db, log: quietLog() },
    );
    try {
      const boxB = await connected(b.deviceId, b.secret);
      await boxB.subscribeAsync(topics.ack(b.deviceId), { qos: 1 });
      const acks = inbox(boxB);
      const r = generateRecords(1, { seed: 5 })[0];
      const frame = encodeFrame({
        v: 1,
        kind: 'records',
        batch: 'b1',
        records: [{ seq: 1, type: r.type, sv: 1, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }],
      });
      await boxB.publishAsync(topics.records(b.deviceId), frame, { qos: 1 });
      await until('the hub’s ack to B', () => acks.length > 0, 10_000);
      const ack = decodeFrame('ack', acks[0].raw);
      expect(ack.ok && { batch: ack.message.batch, stored: ack.message.stored }).toEqual({ batch: 'b1', stored: [1] });
      const stored = await db.query<{ device_id: string }>(`SELECT device_id FROM records WHERE type = $1 AND entity_id = $2 AND entity_version = $3`, [
        r.type,
        r.entityId,
        r.entityVersion,
      ]);
      expect(stored.rows).toEqual([{ device_id: b.deviceId }]);
      await boxB.endAsync();
    } finally {
      await hub.close();
    }
  });

  it('Mosquitto runs the generated configuration as its own user; box A sending box B’s client id leaves B connected; hubs share their listener', async () => {
    if (process.getuid?.() === 0) {
      // As in production: started as root, it drops to `mosquitto`, which must be able to read the files.
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${broker.proc.pid}/status`, 'utf8'))![1]);
      expect(uid).toBe(statSync('/var/lib/mosquitto').uid);
      expect(uid).not.toBe(0);
    }
    for (const f of ['passwd', 'hub.passwd', 'acl', 'mosquitto.conf']) expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    const hub1 = await connected(DEFAULT_HUB_USERNAME, hubPassword, 4, { clientId: 'hub-1' });
    const hub2 = await connected(DEFAULT_HUB_USERNAME, hubPassword, 4, { clientId: 'hub-2' });
    await hub1.subscribeAsync(HUB_UPLINK_FILTER, { qos: 1 });
    const heard = inbox(hub1);
    const boxB = await connected(b.deviceId, b.secret, 4, { clientId: b.deviceId });
    let bClosed = false;
    const bGone = new Promise<never>((_, rej) => boxB.once('close', () => ((bClosed = true), rej(new Error('box B was disconnected')))));
    bGone.catch(() => {});
    // A takes B's client id: on the boxes' listener A is still A (its username), a session of its own.
    const boxA = await connected(a.deviceId, a.secret, 4, { clientId: b.deviceId });
    await boxA.publishAsync(topics.records(a.deviceId), 'from-a', { qos: 1 });
    await Promise.race([boxB.publishAsync(topics.records(b.deviceId), 'from-b', { qos: 1 }), bGone]);
    await until('both boxes’ uplink at the hub', () => heard.some((x) => x.body === 'from-a') && heard.some((x) => x.body === 'from-b'), 10_000);
    expect(bClosed).toBe(false);
    expect(boxB.connected && hub1.connected && hub2.connected).toBe(true);
    // And A cannot write as B with B's client id either.
    await boxA.publishAsync(topics.records(b.deviceId), 'a-as-b', { qos: 1 });
    await boxA.publishAsync(topics.records(a.deviceId), 'from-a-2', { qos: 1 });
    await until('A’s second uplink', () => heard.some((x) => x.body === 'from-a-2'), 10_000);
    expect(heard.map((x) => x.body)).not.toContain('a-as-b');
    // The same box connecting again takes its own session over: one box, one session.
    const aClosed = new Promise<void>((r) => boxA.once('close', () => r()));
    await connected(a.deviceId, a.secret, 4, { clientId: 'anything' });
    await aClosed;
    expect(boxB.connected).toBe(true);
  });

  it('max_packet_size: the contract’s largest frame passes; a 100 MiB publish disconnects its sender before 8 MiB are read', async () => {
    expect(readFileSync(join(out, 'mosquitto.conf'), 'utf8')).toContain(`max_packet_size ${MAX_MQTT_PACKET_BYTES}`);
    const boxB = await connected(b.deviceId, b.secret);
    await boxB.publishAsync(topics.records(b.deviceId), Buffer.alloc(MAX_FRAME_BYTES, 0x7b), { qos: 1 });
    expect(boxB.connected).toBe(true);
    const r = await publishOversized(boxB, topics.records(b.deviceId), 100 * 1024 * 1024);
    expect(r.closedByBroker).toBe(true);
    expect(r.bodyBytesSent).toBeLessThan(8 * 1024 * 1024);
  });

  it('a revoked box is refused after the files are regenerated (CLI) and Mosquitto reloads (SIGHUP)', async () => {
    await revokeDevice(db, a.deviceId);
    // The CLI's own path, against this database: writes passwd + acl into the same dir.
    const files = await writeMosquittoAuth(db, { outDir: out, hubPassword, listeners: { boxPort, boxHost: '127.0.0.1', hubPort, hubHost: '127.0.0.1' }, broker: noPersistence });
    expect(files.devices).toEqual([b.deviceId]);
    expect(readFileSync(files.passwordFile, 'utf8')).not.toContain(a.deviceId);
    broker.reload();
    await until(
      'Mosquitto to refuse the revoked box',
      async () => {
        const r = await connect(a.deviceId, a.secret);
        if (r.client) await r.client.endAsync(true);
        return r.error !== null && /Not authorized|Bad username/i.test(r.error);
      },
      10_000,
      200,
    );
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
      expect(
        await cli(
          [
            'enrol',
            '--data-dir',
            join(data, 'hub'),
            '--facility',
            '0112P003',
            '--mqtt-url',
            'mqtts://hub.example:8883',
            '--device-id',
            `m${run}-cli`,
            '--out',
            join(data, 'box.json'),
          ],
          env,
        ),
      ).toBe(0);
      expect(await cli(['mosquitto', '--data-dir', join(data, 'hub'), '--out', out, '--persistence-dir', 'none'], env)).toBe(0);
      const passwd = readFileSync(join(out, 'passwd'), 'utf8');
      const box = JSON.parse(readFileSync(join(data, 'box.json'), 'utf8'));
      const hubSecret = readFileSync(join(out, 'hub.secret'), 'utf8').trim();
      const line = (u: string) =>
        passwd
          .split('\n')
          .find((l) => l.startsWith(`${u}:`))!
          .slice(u.length + 1);
      expect(verifyMosquittoPasswordHash(box.deviceSecret, line(`m${run}-cli`))).toBe(true);
      const hubLine = readFileSync(join(out, 'hub.passwd'), 'utf8').trim();
      expect(verifyMosquittoPasswordHash(hubSecret, hubLine.slice(`${DEFAULT_HUB_USERNAME}:`.length))).toBe(true);
      expect(passwd).not.toContain(`${DEFAULT_HUB_USERNAME}:`);
      const conf = readFileSync(join(out, 'mosquitto.conf'), 'utf8');
      expect(conf).toMatch(/^per_listener_settings true$/m);
      expect(conf).toMatch(/^listener 8883\nuse_username_as_clientid true$|^listener 8883$/m);
      expect(conf).toContain(`password_file ${join(out, 'passwd')}`);
      expect(conf).toContain('listener 1884 127.0.0.1');
      expect(readFileSync(join(out, 'acl'), 'utf8')).toContain(`user m${run}-cli\ntopic write simpul/v1/m${run}-cli/up/#`);
    } finally {
      (await import('node:fs')).rmSync(data, { recursive: true, force: true });
    }
  });
});
