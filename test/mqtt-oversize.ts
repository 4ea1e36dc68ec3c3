/**
 * An oversized MQTT publish, written by hand on a connected client's socket: the fixed header
 * announces `announced` bytes, then the body follows in 64 KiB pieces until the broker closes the
 * connection (or 8 MiB went out, which means it did not).
 */
import type { MqttClient } from 'mqtt';
import type { Socket } from 'node:net';

const varint = (n: number) => {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
};

export async function publishOversized(client: MqttClient, topic: string, announced: number): Promise<{ closedByBroker: boolean; bodyBytesSent: number }> {
  const socket = (client as unknown as { stream: Socket }).stream;
  let closed = false;
  const gone = new Promise<void>((res) => socket.once('close', () => ((closed = true), res())));
  socket.on('error', () => {});
  const t = Buffer.from(topic);
  socket.write(Buffer.from([0x30, ...varint(announced), t.length >> 8, t.length & 0xff, ...t]));
  const piece = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  while (!closed && sent < 8 * 1024 * 1024) {
    sent += piece.length;
    if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once('drain', r)), gone]);
  }
  if (!closed) {
    // 8 MiB went out and the broker still reads: it is collecting the packet.
    socket.destroy();
    await gone;
    return { closedByBroker: false, bodyBytesSent: sent };
  }
  return { closedByBroker: true, bodyBytesSent: sent };
}
