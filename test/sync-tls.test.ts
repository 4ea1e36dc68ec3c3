/**
 * The uplink over TLS: the box's link (appliance/sync/link.ts) connects to a Mosquitto TLS
 * listener when its configured CA signed the server's certificate, and refuses (an error, never
 * a connection) when another CA is configured. The CAs and the server certificate for
 * 127.0.0.1/localhost are made at test time with the openssl CLI.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFilters } from '../central/contract/topics.ts';
import { until } from './support/wait.ts';
import { MqttLink } from '../appliance/sync/link.ts';
import { freePort, startMosquitto, tempDir, type OwnMosquitto } from './mosquitto-support.ts';

let dir: string;
let broker: OwnMosquitto;
const links: MqttLink[] = [];
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

function makeCa(name: string) {
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

beforeAll(async () => {
  dir = tempDir('simpul-tls-');
  makeCa('test-ca');
  makeCa('other-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  const ext = join(dir, 'server.ext');
  (await import('node:fs')).writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.pem', '-extfile', ext);
  const port = await freePort();
  broker = await startMosquitto(dir, port, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `cafile ${join(dir, 'test-ca.pem')}`,
    `certfile ${join(dir, 'server.pem')}`,
    `keyfile ${join(dir, 'server.key')}`,
  ]);
});
afterAll(async () => {
  for (const l of links) await l.close().catch(() => {});
  await broker?.close();
});

const link = (caFile: string) => {
  const deviceId = `tls${randomBytes(3).toString('hex')}`;
  const l = new MqttLink({
    url: `mqtts://127.0.0.1:${broker.port}`,
    deviceId,
    secret: 'unused-here',
    caFile,
    backoffMinMs: 200,
    backoffMaxMs: 1000,
    subscriptions: deviceFilters(deviceId),
    log: pino({ level: 'silent' }),
  });
  links.push(l);
  return l;
};

describe('box link over mqtts', () => {
  it('connects when the hub’s CA is configured, and its messages go over TLS', async () => {
    const l = link(join(dir, 'test-ca.pem'));
    let up = 0;
    l.on('up', () => up++);
    l.start();
    await until('the TLS link to come up', () => l.connected, 10_000);
    expect(up).toBe(1);
    expect(l.lastError).toBeNull();
    await l.publish(`simpul/v1/x/up/status`, Buffer.from('hello'));
    await l.close();
  });

  it('refuses the hub when another CA is configured: an error, no connection', async () => {
    const l = link(join(dir, 'other-ca.pem'));
    let up = 0;
    l.on('up', () => up++);
    l.start();
    await until('two refused attempts', () => l.lastError !== null && l.reconnects >= 2, 10_000);
    expect(l.lastError).toMatch(/self[- ]signed|unable to (get|verify)|certificate/i);
    expect(l.connected).toBe(false);
    expect(up).toBe(0);
    await expect(l.publish(`simpul/v1/x/up/status`, Buffer.from('x'))).rejects.toThrow(/not connected/);
    await l.close();
  });

  it('refuses plain mqtt:// to a TLS-only listener (no silent downgrade)', async () => {
    const deviceId = `tls${randomBytes(3).toString('hex')}`;
    const l = new MqttLink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      deviceId,
      secret: 'x',
      backoffMinMs: 200,
      backoffMaxMs: 1000,
      subscriptions: deviceFilters(deviceId),
      log: pino({ level: 'silent' }),
    });
    links.push(l);
    l.start();
    await until('a failed plain attempt', () => l.reconnects >= 1, 25_000);
    expect(l.connected).toBe(false);
    await l.close();
  });
});
