import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
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

function listen(server: Server, port: number, host: string): Promise<Listening> {
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

export function serveHttps(fetch: Fetch, opts: { port: number; host: string; key: string; cert: string }) {
  return listen(createHttpsServer({ key: opts.key, cert: opts.cert }, listener(fetch)) as unknown as Server, opts.port, opts.host);
}

export function serveHttp(fetch: Fetch, opts: { port: number; host: string }) {
  return listen(createHttpServer(listener(fetch)), opts.port, opts.host);
}

/** Plain HTTP only sends people to HTTPS (phones need a secure context for camera and mic). */
export function serveRedirect(opts: { port: number; host: string; httpsPort: number }) {
  const server = createHttpServer((req, res) => {
    const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '');
    res.writeHead(308, { location: `https://${host}:${opts.httpsPort}${req.url ?? '/'}` }).end();
  });
  return listen(server, opts.port, opts.host);
}
