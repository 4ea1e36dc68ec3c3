import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../appliance/config.ts';
import { startBox, type Box } from '../appliance/box.ts';
import { Hono } from 'hono';
import { serveHttp } from '../appliance/http/server.ts';

/**
 * A request answered before its body was read (413 on its Content-Length) must not leave a
 * keep-alive connection whose next request meets a reset: the box says `Connection: close` and
 * closes the connection after the answer. Raw sockets on loopback, so nothing retries for us.
 */

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads one HTTP/1.1 response with a Content-Length from the socket's data so far and to come. */
function readResponse(s: Socket, buffered: { data: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const tryParse = () => {
      const end = buffered.data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...lines] = buffered.data.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (buffered.data.length < end + 4 + length) return false;
      const body = buffered.data.slice(end + 4, end + 4 + length);
      buffered.data = buffered.data.slice(end + 4 + length);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
      return true;
    };
    if (tryParse()) return;
    const onData = () => {
      if (tryParse()) cleanup();
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`connection closed before a whole response; got ${JSON.stringify(buffered.data.slice(0, 200))}`));
    };
    const cleanup = () => {
      s.off('data', onData);
      s.off('close', onClose);
    };
    s.on('data', onData);
    s.on('close', onClose);
  });
}

/** How the connection ended: the server's FIN ('end') or a reset. */
function ending(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let how = 'close';
    s.on('end', () => (how = 'end'));
    s.on('error', (e: NodeJS.ErrnoException) => (how = e.code ?? e.message));
    s.on('close', () => resolve(how));
  });
}

describe('a request answered before its body was read', () => {
  let box: Box;
  let port: number;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'simpul-unread-'));
    box = await startBox(configSchema.parse({ mode: 'demo', dataDir, httpsPort: 0, httpPort: 0, host: '127.0.0.1', logLevel: 'silent' }), { plainHttp: true });
    port = Number(new URL(box.url).port);
  });
  afterAll(async () => {
    await box?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open() {
    const s = connect(port, '127.0.0.1');
    const buffered = { data: '' };
    s.setEncoding('latin1');
    s.on('data', (d: string) => (buffered.data += d));
    await new Promise((r) => s.once('connect', r));
    return { s, buffered, ended: ending(s) };
  }

  it('answers 413 with Connection: close and closes the connection cleanly (client sent the headers and part of the body)', async () => {
    const { s, buffered, ended } = await open();
    s.write('POST /api/v1/queue/take HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nConnection: keep-alive\r\n\r\n');
    s.write(Buffer.alloc(16 * 1024, 'a'));
    const answer = await readResponse(s, buffered);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
    expect(answer.headers.connection).toBe('close');
    expect(await ended).toBe('end');
  });

  it('the same when the client pipelines its next request after the whole oversized body: it is told to use a new connection', async () => {
    const { s, buffered, ended } = await open();
    s.write('POST /api/v1/queue/take HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\nContent-Length: 200000\r\nConnection: keep-alive\r\n\r\n');
    s.write(Buffer.alloc(200_000, 'a'));
    s.write('GET /healthz HTTP/1.1\r\nHost: box\r\n\r\n');
    const answer = await readResponse(s, buffered);
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    await ended;
    // The pipelined request was not answered on this connection; a fresh one answers it.
    expect(buffered.data).toBe('');
    const again = await open();
    again.s.write('GET /healthz HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n');
    expect((await readResponse(again.s, again.buffered)).status).toBe(200);
    again.s.destroy();
  });

  it('keeps GETs alive also when the app answers synchronously (the request is not "complete" yet then)', async () => {
    const bare = new Hono();
    bare.get('/', (c) => c.text('ok'));
    const server = await serveHttp(bare.fetch, { port: 0, host: '127.0.0.1' });
    try {
      const s = connect(server.port, '127.0.0.1');
      const buffered = { data: '' };
      s.setEncoding('latin1');
      s.on('data', (d: string) => (buffered.data += d));
      s.write('GET / HTTP/1.1\r\nHost: box\r\n\r\n');
      expect((await readResponse(s, buffered)).headers.connection).toBe('keep-alive');
      s.write('GET / HTTP/1.1\r\nHost: box\r\n\r\n');
      expect((await readResponse(s, buffered)).body).toBe('ok');
      s.destroy();
    } finally {
      await server.close();
    }
  });

  it('keeps the connection alive when the body was read (a 4xx after reading it)', async () => {
    const { s, buffered } = await open();
    const body = JSON.stringify({ poli: 'nope' });
    s.write(`POST /api/v1/queue/take HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const first = await readResponse(s, buffered);
    expect(first.status).toBe(422);
    expect(first.headers.connection).toBe('keep-alive');
    s.write('GET /healthz HTTP/1.1\r\nHost: box\r\n\r\n');
    expect((await readResponse(s, buffered)).status).toBe(200);
    s.destroy();
  });
});
