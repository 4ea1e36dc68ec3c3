/**
 * Each box speaks only as itself, on the hub's embedded broker: credentials are checked against
 * the hub's enrolment, and a box may publish and subscribe only under its own device topics.
 * (The Mosquitto variant — password file + ACL pattern on the username — is sync-mosquitto-identity.test.ts.)
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, topics } from '../central/contract/index.ts';
import { revokeDevice } from '../central/fleet/devices.ts';
import { requestResend } from '../central/downlink/downlink.ts';
import { generateRecords } from '../central/testing/records.ts';
import { startStack, type Stack } from '../central/testing/stack.ts';
import { sleep, until } from './support/wait.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('embedded+pglite');
});
afterAll(async () => {
  await stack?.close();
});

const connect = (clientId: string, username: string, password: string) =>
  new Promise<{ client: mqtt.MqttClient | null; error: string | null }>((resolve) => {
    const client = mqtt.connect(stack.mqttUrl, { clientId, username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => resolve({ client, error: null }));
    client.once('error', (e) => (client.end(true), resolve({ client: null, error: e.message })));
  });

const batch = () => {
  const r = generateRecords(1, { seed: 77 })[0];
  return encodeFrame({
    v: 1,
    kind: 'records',
    batch: 'evil',
    records: [{ seq: 1, type: r.type, sv: 1, entity: r.entityId, ev: r.entityVersion, at: r.createdAt, payload: r.payload }],
  });
};

describe('identity on the embedded broker', () => {
  it('refuses an unknown box, a wrong secret, a client id that is not the device id, and a revoked box', async () => {
    const a = await stack.enrol('ida');
    expect((await connect('tnobody-x', 'tnobody-x', 'whatever-secret-123')).error).toMatch(/Not authorized/i);
    expect((await connect(a.deviceId, a.deviceId, 'wrong-secret-wrong-secret')).error).toMatch(/Not authorized/i);
    expect((await connect('someone-else', a.deviceId, a.secret)).error).toMatch(/Identifier rejected/i);
    const ok = await connect(a.deviceId, a.deviceId, a.secret);
    expect(ok.error).toBeNull();
    await ok.client!.endAsync();
    await revokeDevice(stack.db, a.deviceId);
    expect((await connect(a.deviceId, a.deviceId, a.secret)).error).toMatch(/Not authorized/i);
  });

  it('box A cannot read box B’s downlink nor publish as box B', async () => {
    const a = await stack.enrol('boxa');
    const b = await stack.enrol('boxb');
    const { client } = await connect(a.deviceId, a.deviceId, a.secret);
    // MQTT.js rejects a subscription the broker refused (SUBACK 0x80).
    for (const f of [`simpul/v1/${b.deviceId}/down/#`, topics.ack(b.deviceId), 'simpul/v1/+/down/#', '#']) {
      await expect(client!.subscribeAsync(f, { qos: 1 }), f).rejects.toThrow(/Subscribe error/);
    }
    expect((await client!.subscribeAsync(`simpul/v1/${a.deviceId}/down/#`, { qos: 1 }))[0].qos).toBe(1);
    const seen: string[] = [];
    client!.on('message', (t) => seen.push(t));
    // The hub sends to B: A hears nothing.
    await requestResend(stack.db, b.deviceId, 1);
    await stack.hub.downlink.sendPending(b.deviceId, true);
    await sleep(300);
    expect(seen).toEqual([]);

    // A publishes into B's uplink: the broker closes A's connection and nothing is stored for B.
    const closed = new Promise<void>((r) => client!.once('close', () => r()));
    client!.publish(topics.records(b.deviceId), batch(), { qos: 1 });
    await closed;
    await sleep(200);
    const n = (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE device_id = $1`, [b.deviceId])).rows[0].n;
    expect(n).toBe(0);
    client!.end(true);

    // And A may still send as itself.
    const again = await connect(a.deviceId, a.deviceId, a.secret);
    await again.client!.publishAsync(topics.records(a.deviceId), batch(), { qos: 1 });
    await until('A’s own record', async () => (await stack.db.query(`SELECT 1 FROM records WHERE device_id = $1`, [a.deviceId])).rows.length);
    await again.client!.endAsync();
  });
});
