import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { serveRedirect, type Listening } from './server.ts';

/** One raw request (Node's own client refuses malformed headers), answered status and Location. */
function rawRequest(port: number, target: string, host: string | null): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const location = /\r\nlocation: ([^\r\n]*)/i.exec(data)?.[1] ?? null;
      resolve({ status, location });
    });
    socket.end(`GET ${target} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`, 'latin1');
  });
}

describe('the HTTP → HTTPS redirect', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await serveRedirect({ port: 0, host: '127.0.0.1', httpsPort: 8443 });
  });
  afterAll(() => server.close());

  it('sends a name or an IP literal on to HTTPS with the path', async () => {
    expect(await rawRequest(server.port, '/staff/login?next=%2Fstaff', 'simpul.local:8080')).toEqual({
      status: 308,
      location: 'https://simpul.local:8443/staff/login?next=%2Fstaff',
    });
    expect(await rawRequest(server.port, '/', '192.168.1.10:8080')).toEqual({ status: 308, location: 'https://192.168.1.10:8443/' });
    expect(await rawRequest(server.port, '/x', '[fe80::1]:8080')).toEqual({ status: 308, location: 'https://[fe80::1]:8443/x' });
    expect(await rawRequest(server.port, '//evil.example/x', 'simpul.local')).toEqual({ status: 308, location: 'https://simpul.local:8443/' });
  });

  it('refuses a Host that is not a plain name or IP literal with 400 and no Location', async () => {
    const bad = [
      'evil.example/..',
      'evil.example/x?',
      'simpul.local@evil.example',
      'user@evil.example',
      'evil.example\\x',
      'a b',
      '[::1',
      '[evil.example]',
      '999.1.1.1',
      '-bad-.local',
      'evil.example:80/x',
      'simpul.local%0d%0aSet-Cookie:x=1',
      '',
    ];
    for (const host of bad) {
      const answer = await rawRequest(server.port, '/', host);
      expect(answer.location, host).toBeNull();
      expect(answer.status, host).toBe(400);
    }
    expect(await rawRequest(server.port, '/', null)).toEqual({ status: 400, location: null });
  });

  it('a CR or LF in Host never reaches Location', async () => {
    for (const host of ['simpul.local\rLocation: https://evil.example', 'simpul.local\r\n Location: https://evil.example']) {
      const answer = await rawRequest(server.port, '/', host);
      expect(answer.location ?? '').not.toContain('evil');
      expect(answer.status).toBe(400);
    }
  });
});
