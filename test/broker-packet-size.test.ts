/**
 * The embedded broker refuses a packet over the contract's size (MAX_MQTT_PACKET_BYTES) by closing
 * the connection while the packet's body is still coming: it never collects 100 MiB. A frame of
 * the largest size the contract allows still goes through. (Mosquitto's max_packet_size:
 * sync-mosquitto-identity.test.ts.)
 */
import { createConnection } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, MAX_MQTT_PACKET_BYTES, topics } from '../central/contract/index.ts';
import { startStack, type Stack } from '../central/testing/stack.ts';
import { publishOversized } from './mqtt-oversize.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('embedded+pglite');
});
afterAll(async () => {
  await stack?.close();
});

const connected = async (clientId: string, username?: string, password?: string) => {
  const c = mqtt.connect(stack.mqttUrl, { clientId, username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
  await new Promise<void>((res, rej) => (c.once('connect', () => res()), c.once('error', rej)));
  return c;
};

describe('embedded broker: maximum packet size', () => {
  it('a frame of the contract’s largest size is accepted; a 100 MiB publish closes the connection before 8 MiB of it are read', async () => {
    const a = await stack.enrol('big');
    const box = await connected(a.deviceId, a.deviceId, a.secret);
    try {
      await box.publishAsync(topics.records(a.deviceId), Buffer.alloc(MAX_FRAME_BYTES, 0x7b), { qos: 1 });
      expect(box.connected).toBe(true);
      const r = await publishOversized(box, topics.records(a.deviceId), 100 * 1024 * 1024);
      expect(r.closedByBroker).toBe(true);
      expect(r.bodyBytesSent).toBeLessThan(8 * 1024 * 1024);
    } finally {
      box.end(true);
    }
    // Others are unaffected.
    const again = await connected(a.deviceId, a.deviceId, a.secret);
    expect(again.connected).toBe(true);
    again.end(true);
    expect(MAX_MQTT_PACKET_BYTES).toBeGreaterThan(MAX_FRAME_BYTES);
  });

  it('before any login too: a CONNECT announcing 100 MiB, its length sent one byte at a time, is cut off', async () => {
    const u = new URL(stack.mqttUrl);
    const socket = createConnection({ host: u.hostname, port: Number(u.port) });
    const closed = new Promise<void>((res) => socket.once('close', () => res()));
    socket.on('error', () => {});
    await new Promise<void>((res) => socket.once('connect', () => res()));
    // 100 MiB = 104,857,600 as MQTT's variable-length integer: 0x80 0x80 0x80 0x32.
    for (const byte of [0x10, 0x80, 0x80, 0x80, 0x32]) await new Promise<void>((res) => socket.write(Buffer.of(byte), () => res()));
    // Then the body, until the broker closes (or 8 MiB went out: it is collecting the packet).
    let gone = false;
    void closed.then(() => (gone = true));
    const piece = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    while (!gone && sent < 8 * 1024 * 1024) {
      sent += piece.length;
      if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
    socket.destroy();
    await closed;
    expect(sent).toBeLessThan(8 * 1024 * 1024);
  });
});
