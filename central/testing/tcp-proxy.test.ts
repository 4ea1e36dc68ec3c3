import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** Sends `bytes` through the proxy to an echo server; resolves with ms until all came back. */
async function echo(proxy: TcpProxy, bytes: number): Promise<number> {
  const t0 = performance.now();
  const s: Socket = connect(proxy.port, '127.0.0.1');
  await new Promise<void>((res, rej) => s.once('connect', res).once('error', rej));
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

describe('tcp proxy', () => {
  let server: Server;
  let proxy: TcpProxy;
  beforeAll(async () => {
    server = createServer((c) => c.pipe(c).on('error', () => {}));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((res) => server.close(res));
  });

  it('adds the one-way delay each way, limits the rate, stalls and cuts', async () => {
    expect(await echo(proxy, 100)).toBeLessThan(200);

    proxy.shape({ rateBitsPerSec: 0, delayMs: 300 });
    const rtt = await echo(proxy, 100);
    expect(rtt).toBeGreaterThanOrEqual(590);
    expect(rtt).toBeLessThan(2000);

    // 8 KB at 64 kbit/s is 1 s each way; the echo's way back overlaps the way there.
    proxy.shape({ rateBitsPerSec: 64_000, delayMs: 0 });
    const slow = await echo(proxy, 8 * 1024);
    expect(slow).toBeGreaterThanOrEqual(1000);
    expect(slow).toBeLessThan(4000);
    proxy.shape(null);

    proxy.stall(700);
    const stalled = await echo(proxy, 100);
    expect(stalled).toBeGreaterThanOrEqual(650);

    proxy.cut();
    await expect(echo(proxy, 10)).rejects.toThrow();
    proxy.restore();
    expect(await echo(proxy, 100)).toBeLessThan(200);
    expect(proxy.bytesUp).toBeGreaterThan(8 * 1024);
  });
});
