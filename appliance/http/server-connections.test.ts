import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { serveHttp, type Listening } from './server.ts';

/** A TCP connection from a given loopback address that sends nothing; resolves when it is open. */
function silentConnection(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const closedBy = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('open connections per client address', () => {
  let server: Listening;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('ok'));
    server = await serveHttp(app.fetch, { port: 0, host: '127.0.0.1', maxConnectionsPerAddress: 5 });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
  });

  it('a client holding silent connections is cut off at the cap; other addresses and the box itself still get answers', async () => {
    for (let i = 0; i < 8; i++) sockets.push(await silentConnection(server.port, '127.0.0.7'));
    // The three past the cap are closed by the server without a request.
    await Promise.all(sockets.slice(5).map(closedBy));
    expect(sockets.slice(0, 5).every((s) => !s.destroyed)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(200);
    const other = await silentConnection(server.port, '127.0.0.8');
    sockets.push(other);
    other.write('GET / HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      other.on('data', (d) => (data += d.toString()));
      other.once('close', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    // A slot comes back when its connection ends: a new one from the same client is answered.
    sockets[0].destroy();
    await closedBy(sockets[0]);
    await expect
      .poll(async () => {
        const again = await silentConnection(server.port, '127.0.0.7');
        sockets.push(again);
        again.write('GET / HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n');
        return new Promise<string>((resolve) => {
          let data = '';
          again.on('data', (d) => (data += d.toString()));
          again.once('close', () => resolve(data.slice(0, 15)));
        });
      })
      .toBe('HTTP/1.1 200 OK');
  });
});
