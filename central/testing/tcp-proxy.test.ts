import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
import { sleep } from '../../test/support/wait.ts';

// Timings are checked with wide margins: the machine is shared, so only "not faster than the
// link allows" is tight (the proxy must never release data early); upper bounds are generous.

describe('tcp proxy', () => {
  let server: Server;
  let proxy: TcpProxy;
  /** Bytes the echo server has received, over all connections. */
  let received = 0;
  const clients = new Set<Socket>();

  /** Connects through the proxy; rejects if the proxy drops the connection before it opens. */
  async function open(): Promise<Socket> {
    const s = connect(proxy.port, '127.0.0.1');
    clients.add(s);
    s.on('error', () => {});
    await new Promise<void>((res, rej) => {
      s.once('connect', res);
      s.once('close', () => rej(new Error('connection closed by the proxy')));
    });
    return s;
  }

  /** Sends `bytes` through the proxy to the echo server; resolves with the ms until all came back. */
  async function echo(bytes: number): Promise<number> {
    const t0 = performance.now();
    const s = await open();
    let got = 0;
    const done = new Promise<void>((res, rej) => {
      s.on('data', (d) => ((got += d.length) >= bytes ? res() : undefined));
      s.once('close', () => rej(new Error('connection closed by the proxy')));
    });
    s.write(Buffer.alloc(bytes, 1));
    await done;
    s.destroy();
    return performance.now() - t0;
  }

  async function serverReceives(total: number, withinMs = 10_000) {
    const end = performance.now() + withinMs;
    while (received < total) {
      if (performance.now() > end) throw new Error(`the server received ${received}, not ${total}, in ${withinMs} ms`);
      await sleep(5);
    }
  }

  beforeAll(async () => {
    server = createServer((c) => {
      c.on('data', (d) => (received += d.length));
      c.pipe(c).on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  });
  afterEach(() => {
    proxy.shape(null);
    proxy.restore();
    for (const c of clients) c.destroy();
    clients.clear();
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((res) => server.close(res));
  });

  it('passes data straight through and counts it', async () => {
    const up0 = proxy.bytesUp;
    const down0 = proxy.bytesDown;
    expect(await echo(1000)).toBeLessThan(500);
    expect(proxy.bytesUp - up0).toBe(1000);
    expect(proxy.bytesDown - down0).toBe(1000);
  });

  it('adds the one-way delay each way: 300 ms makes a round trip of at least 600 ms', async () => {
    proxy.shape({ rateBitsPerSec: 0, delayMs: 300 });
    const rtt = await echo(100);
    expect(rtt).toBeGreaterThanOrEqual(599);
    expect(rtt).toBeLessThan(2000);
  });

  it('limits the rate, shared by all connections one way: 16 KB at 64 kbit/s takes ~2 s', async () => {
    proxy.shape({ rateBitsPerSec: 64_000, delayMs: 0 });
    const a = await open();
    const b = await open();
    const start = received;
    const t0 = performance.now();
    // Two connections of 8 KB each, written in 1 KB pieces as a client would.
    for (let i = 0; i < 8; i++) {
      a.write(Buffer.alloc(1024, 2));
      b.write(Buffer.alloc(1024, 3));
    }
    await serverReceives(start + 16 * 1024);
    const ms = performance.now() - t0;
    // 16,384 B × 8 / 64,000 bit/s = 2,048 ms; each connection alone at the full rate would be 1,024 ms.
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(4000);
  });

  it('rate and delay together: the first byte waits for the delay, the last for the rate', async () => {
    proxy.shape({ rateBitsPerSec: 64_000, delayMs: 300 });
    const s = await open();
    const start = received;
    const t0 = performance.now();
    s.write(Buffer.alloc(1024, 4));
    s.write(Buffer.alloc(7 * 1024, 5));
    await serverReceives(start + 1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300 + 128 - 1); // 1 KB serialised, then 300 ms
    await serverReceives(start + 8 * 1024);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(300 + 1024 - 1);
    expect(ms).toBeLessThan(3000);
  });

  it('a stall holds data both ways without closing the connection', async () => {
    const s = await open();
    let closed = false;
    s.once('close', () => (closed = true));
    let got = 0;
    s.on('data', (d) => (got += d.length));
    const t0 = performance.now();
    proxy.stall(700);
    s.write(Buffer.alloc(100, 6));
    while (got < 100) await sleep(5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(650);
    expect(closed).toBe(false);
    // And the link is back to normal after it.
    s.write(Buffer.alloc(100, 7));
    const t1 = performance.now();
    while (got < 200) await sleep(5);
    expect(performance.now() - t1).toBeLessThan(500);
  });

  it('a side that closes still gets what it sent across a slow link, then the close', async () => {
    proxy.shape({ rateBitsPerSec: 64_000, delayMs: 100 });
    const s = await open();
    const start = received;
    const t0 = performance.now();
    s.end(Buffer.alloc(4096, 8));
    await serverReceives(start + 4096, 3000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100 + 512 - 1);
    // And then the close reaches the server: no connection is left open there.
    const connections = () => new Promise<number>((res, rej) => server.getConnections((err, n) => (err ? rej(err) : res(n))));
    const end = performance.now() + 3000;
    while ((await connections()) > 0 && performance.now() < end) await sleep(20);
    expect(await connections()).toBe(0);
  });

  it('cut drops connections and refuses new ones until restore', async () => {
    const s = await open();
    const closed = new Promise((res) => s.once('close', res));
    proxy.cut();
    await closed;
    await expect(echo(10)).rejects.toThrow();
    proxy.restore();
    expect(await echo(100)).toBeLessThan(500);
  });
});
