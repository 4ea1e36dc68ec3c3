import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { configSchema } from '../appliance/config.ts';
import { startBox, type Box } from '../appliance/box.ts';
import { demoStaff } from '../appliance/clinic/demo.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { until } from './support/wait.ts';

/**
 * The live-update endpoints under a bounded load on loopback: connections from one address and
 * from many (client sockets bound to 127.0.0.2…127.0.0.x, which Linux routes to loopback as
 * different source addresses) up to the caps and beyond. The excess gets 429 (its address is
 * full) or 503 (the box is full) in the one error shape with a Retry-After; the box stays up and
 * a logged-in nurse keeps getting answers. No timing is asserted here (test/bench/queue.ts measures it).
 */

const perAddress = 8;
const total = 160;

interface Opened {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  req: ClientRequest;
  res: IncomingMessage;
}

describe('live-update connections held at their caps', () => {
  let box: Box;
  let dataDir: string;
  let port: number;
  let nurseCookie: string;
  const held: Opened[] = [];

  /** Opens an event stream; a 200 resolves as soon as its headers arrive (the stream stays open). */
  function stream(path: string, from: string, headers: Record<string, string> = {}): Promise<Opened> {
    return new Promise((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path, localAddress: from, agent: false, headers }, (res) => {
        if (res.statusCode === 200) {
          const opened = { status: 200, headers: res.headers, body: '', req, res };
          held.push(opened);
          return resolve(opened);
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, req, res }));
      });
      req.on('error', reject);
    });
  }

  /** A patient's consultation socket; a refused upgrade resolves with its status, headers and body. */
  function patientSocket(from: string): Promise<{ ws?: WebSocket; status: number; headers?: IncomingMessage['headers']; body?: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/tickets/${demoIds.ticketToken}/consultation/socket`, {
        localAddress: from,
        headers: { origin: `http://127.0.0.1:${port}` },
      });
      ws.once('open', () => resolve({ ws, status: 101 }));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          ws.terminate();
        });
      });
      ws.once('error', reject);
    });
  }

  function fetchStatus(path: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const nurseQueue = () => fetchStatus('/api/v1/queue/umum', { cookie: nurseCookie });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'simpul-live-'));
    box = await startBox(
      configSchema.parse({
        mode: 'demo',
        dataDir,
        httpsPort: 0,
        httpPort: 0,
        host: '127.0.0.1',
        logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
        relayHostAddresses: ['127.0.0.1'],
        liveConnectionsPerAddress: perAddress,
        liveConnectionsTotal: total,
      }),
      { plainHttp: true },
    );
    port = Number(new URL(box.url).port);
    const nurse = demoStaff.find((s) => s.role === 'nurse')!;
    const login = await fetch(`${box.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: nurse.username, password: nurse.password }),
    });
    expect(login.status).toBe(200);
    nurseCookie = login.headers.get('set-cookie')!.split(';')[0];
  });
  afterAll(async () => {
    for (const h of held) h.req.destroy();
    await box?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('one address gets its cap and then 429 with Retry-After, on streams and sockets alike', async () => {
    const mine = await Promise.all(Array.from({ length: perAddress }, () => stream('/api/v1/queue/display/events', '127.0.0.2')));
    expect(mine.map((o) => o.status)).toEqual(Array(perAddress).fill(200));
    expect(mine[0].headers['content-type']).toBe('text/event-stream');

    const refused = await stream('/api/v1/queue/display/events', '127.0.0.2');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'too_many_connections', details: { limit: perAddress } } });
    expect((await stream(`/api/v1/tickets/${demoIds.ticketToken}/events`, '127.0.0.2')).status).toBe(429);
    const sock = await patientSocket('127.0.0.2');
    expect(sock.status).toBe(429);
    expect(sock.headers?.['retry-after']).toBe('10');
    expect(JSON.parse(sock.body!).error.code).toBe('too_many_connections');
    // Messages in the request's language: English when asked.
    const en = await stream('/api/v1/queue/display/events?lang=en', '127.0.0.2');
    expect(JSON.parse(en.body).error.message).toMatch(/^Too many live connections/);
    expect(box.live.stats().open).toBe(perAddress);
  });

  it('many addresses fill the total, the excess gets 503, and staff keep being served', async () => {
    const addresses = Array.from({ length: total / perAddress - 1 }, (_, i) => `127.0.0.${3 + i}`);
    const opened = await Promise.all(addresses.flatMap((a) => Array.from({ length: perAddress }, () => stream('/api/v1/queue/display/events', a))));
    expect(opened.every((o) => o.status === 200)).toBe(true);
    expect(box.live.stats().open).toBe(total);

    // Beyond the total: from fresh addresses, a burst of streams and sockets, all refused.
    const burst = await Promise.all(
      Array.from({ length: 120 }, (_, i) => stream(i % 2 ? '/api/v1/queue/display/events' : `/api/v1/tickets/${demoIds.ticketToken}/events`, `127.0.1.${1 + (i % 40)}`)),
    );
    expect(burst.map((o) => o.status)).toEqual(Array(120).fill(503));
    expect(burst[0].headers['retry-after']).toBe('10');
    expect(JSON.parse(burst[1].body)).toMatchObject({ error: { code: 'server_busy', details: { limit: total } } });
    expect((await patientSocket('127.0.1.99')).status).toBe(503);
    // …and the caps still hold per address: a full address gets 429 first.
    expect((await stream('/api/v1/queue/display/events', '127.0.0.3')).status).toBe(429);

    // The box is up; the nurse's queue list answers, and her queue desk's own stream opens (staff
    // are not refused by the total).
    expect(await fetchStatus('/healthz')).toBe(200);
    const answers = await Promise.all(Array.from({ length: 20 }, nurseQueue));
    expect(answers).toEqual(Array(20).fill(200));
    expect((await stream('/api/v1/queue/display/events', '127.0.2.1', { cookie: nurseCookie })).status).toBe(200);
    expect(box.live.stats().open).toBe(total + 1);
    const metrics = await (await fetch(`${box.url}/metrics`)).text();
    expect(metrics).toContain(`simpul_live_connections_open ${total + 1}`);
    expect(metrics).toMatch(/simpul_live_connections_refused_total\{reason="total"\} 12[1-9]/);
  });

  it('a stream or socket that ends gives its slot back', async () => {
    // Close the first address's streams (the client goes away).
    const first = held.filter((h) => h.req.socket?.localAddress === '127.0.0.2');
    expect(first).toHaveLength(perAddress);
    for (const h of first) h.req.destroy();
    await until('slots given back', () => box.live.stats().open === total + 1 - perAddress);

    // The address may open again; a socket holds a slot until it closes.
    const sock = await patientSocket('127.0.0.2');
    expect(sock.status).toBe(101);
    expect(box.live.stats().open).toBe(total + 2 - perAddress);
    sock.ws!.close();
    await until('socket slot given back', () => box.live.stats().open === total + 1 - perAddress);
    expect(await nurseQueue()).toBe(200);
  });

  it('HEAD on a stream opens no stream and holds no slot', async () => {
    const before = box.live.stats().open;
    const heads = await Promise.all(
      Array.from(
        { length: 2 * perAddress },
        () =>
          new Promise<{ status: number; type?: string }>((resolve, reject) => {
            const req = request({ host: '127.0.0.1', port, method: 'HEAD', path: '/api/v1/queue/display/events', localAddress: '127.0.3.1', agent: false }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] }));
            });
            req.on('error', reject);
            req.end();
          }),
      ),
    );
    expect(heads).toEqual(Array(2 * perAddress).fill({ status: 200, type: 'text/event-stream' }));
    expect(box.live.stats().open).toBe(before);
    expect((await stream('/api/v1/queue/display/events', '127.0.3.1')).status).toBe(200);
  });
});
