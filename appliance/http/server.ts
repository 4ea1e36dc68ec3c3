import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';

/**
 * The Node adapter: the only place that knows about sockets. It passes the peer address to the
 * app as a binding, so routes stay on web standards.
 */
export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** The peer address reaches the app as a binding (like Deno.serve's `info.remoteAddr`). */
export interface ServerBindings {
  remoteAddress?: string;
}
type Fetch = (req: Request, env: ServerBindings) => Response | Promise<Response>;

function listener(fetch: Fetch) {
  return getRequestListener((req, env) => {
    const { incoming, outgoing } = env as HttpBindings;
    // Answered before the request's body had arrived (413 on its Content-Length, 401, 403…): the
    // rest of that body is still on its way, so this connection cannot carry another request.
    // Say so (Connection: close) and close it after the answer, instead of keeping it alive and
    // letting the client's next request on it meet a reset.
    // (A request without a body is not complete yet while a synchronous handler runs: only one
    // that announced a body counts.)
    const hasBody = (incoming.headers['content-length'] ?? '0') !== '0' || incoming.headers['transfer-encoding'] !== undefined;
    const answered = (res: Response) => {
      if (hasBody && !incoming.complete) outgoing.shouldKeepAlive = false;
      return res;
    };
    const res = fetch(req, { remoteAddress: incoming.socket.remoteAddress });
    return res instanceof Promise ? res.then(answered) : answered(res);
  });
}

/**
 * Open TCP connections one client address may hold on a listener. A phone's browser opens up to
 * six to a host, plus one per live stream (8 at most, see live-connections.ts); the live caps only
 * see connections that made a request, so a script holding thousands of silent or half-open TLS
 * connections is stopped here, where a refused one costs nothing. The box's own loopback address
 * (its tools, a local monitor) is not counted.
 */
export const defaultConnectionsPerAddress = 64;

function capConnectionsPerAddress(server: Server, max: number) {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1') return;
    const mine = open.get(address) ?? 0;
    if (mine >= max) {
      socket.destroy();
      return;
    }
    open.set(address, mine + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

function listen(server: Server, port: number, host: string, maxPerAddress = defaultConnectionsPerAddress): Promise<Listening> {
  capConnectionsPerAddress(server, maxPerAddress);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const closeAll = () =>
        new Promise<void>((res) => {
          server.close(() => res());
          server.closeAllConnections?.();
        });
      resolve({ server, port: (server.address() as AddressInfo).port, close: closeAll });
    });
  });
}

export function serveHttps(fetch: Fetch, opts: { port: number; host: string; key: string; cert: string; maxConnectionsPerAddress?: number }) {
  return listen(createHttpsServer({ key: opts.key, cert: opts.cert }, listener(fetch)) as unknown as Server, opts.port, opts.host, opts.maxConnectionsPerAddress);
}

export function serveHttp(fetch: Fetch, opts: { port: number; host: string; maxConnectionsPerAddress?: number }) {
  return listen(createHttpServer(listener(fetch)), opts.port, opts.host, opts.maxConnectionsPerAddress);
}

/**
 * The host a redirect may name, from a request's Host header, or null. Only a DNS name or an IP
 * literal (IPv6 in brackets), with an optional port, passes: anything else (a path, `@`, CR/LF,
 * spaces) could steer Location somewhere the box does not serve. Any well-formed name passes, not
 * only the certificate's names: a browser sends the Host it was asked for, so the redirect only
 * ever names the host the phone already went to, and a technician's own DNS name keeps working.
 */
export function redirectHost(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(header);
  if (!m) return null;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? `[${m[1]}]` : null;
  const host = m[2].toLowerCase().replace(/\.$/, '');
  if (isIP(host) === 4) return host;
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (host.length > 253 || !host.split('.').every((l) => label.test(l))) return null;
  // A name made only of digits and dots that is not a valid IPv4 address (e.g. 999.1.1.1).
  if (/^[\d.]+$/.test(host)) return null;
  return host;
}

/** Plain HTTP only sends people to HTTPS (phones need a secure context for camera and mic). */
export function serveRedirect(opts: { port: number; host: string; httpsPort: number }) {
  const server = createHttpServer((req, res) => {
    const host = redirectHost(req.headers.host);
    // The path is the request's own: it starts with '/' (an absolute-form or '//' target could
    // change the authority the browser resolves Location against).
    const path = req.url && req.url.startsWith('/') && !req.url.startsWith('//') ? req.url : '/';
    if (!host) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('Alamat (Host) tidak dikenal. Buka kotak dengan nama atau alamat IP-nya.\nUnknown Host. Open the box by its name or IP address.\n');
      return;
    }
    res.writeHead(308, { location: `https://${host}:${opts.httpsPort}${path}` }).end();
  });
  return listen(server, opts.port, opts.host);
}
