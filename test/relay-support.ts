import { request } from 'node:https';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { configSchema } from '../appliance/config.ts';
import { startBox, type Box } from '../appliance/box.ts';
import { demoStaff } from '../appliance/clinic/demo.ts';
import { Inbox } from '../appliance/relay/synthetic-peer.ts';
import type { ClientMessage } from '../appliance/relay/protocol.ts';

/** A demo box over HTTPS on loopback, with its relay on loopback only (tests never use other addresses). */
export async function loopbackBox(extra: Record<string, unknown> = {}, opts: { now?: () => Date } = {}): Promise<Box> {
  const dataDir = await mkdtemp(join(tmpdir(), 'simpul-relay-'));
  return startBox(
    configSchema.parse({
      mode: 'demo',
      dataDir,
      httpsPort: 0,
      httpPort: 0,
      host: '127.0.0.1',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      relayHostAddresses: ['127.0.0.1'],
      ...extra,
    }),
    opts,
  );
}

/** HTTPS to the box's self-signed certificate. */
export function https(
  url: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => any }> {
  return new Promise((resolve, reject) => {
    const body = init.json === undefined ? undefined : JSON.stringify(init.json);
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        rejectUnauthorized: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, json: () => JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function loginDoctor(base: string) {
  const doc = demoStaff.find((s) => s.role === 'doctor')!;
  const res = await https(`${base}/api/v1/auth/login`, { method: 'POST', json: { username: doc.username, password: doc.password } });
  if (res.status !== 200) throw new Error(`login ${res.status} ${res.body}`);
  const cookie = String((res.headers['set-cookie'] as string[])[0]).split(';')[0];
  return { cookie, csrf: res.json().csrfToken as string, name: doc.username, password: doc.password };
}

/** A signaling socket as a participant's page opens it; refused upgrades resolve with their status. */
export function socket(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; inbox: Inbox; send: (m: ClientMessage) => void } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^https/, 'wss'), { rejectUnauthorized: false, headers });
    const inbox = new Inbox();
    ws.on('message', (d) => inbox.push(JSON.parse(String(d))));
    ws.once('open', () => resolve({ ws, inbox, send: (m) => ws.send(JSON.stringify(m)) }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}
