import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { defineWebSocketHelper, WSContext, type WSEvents } from 'hono/ws';

/**
 * WebSockets on the box's own Node server, for Hono routes. The route stays on web standards: it
 * authenticates the upgrade request like any other request and answers `upgradeWebSocket(c, events)`;
 * this adapter (the only part that sees sockets) completes the handshake with `ws` when it did.
 * (`@hono/node-server`'s own helper needs its `createAdaptorServer`; the box builds its servers itself.)
 */
const pending = Symbol('simpul.websocket');
type Env = { remoteAddress?: string; [pending]?: WSEvents<WebSocket> };
type Fetch = (req: Request, env: { remoteAddress?: string }) => Response | Promise<Response>;

export const upgradeWebSocket = defineWebSocketHelper<WebSocket>((c, events) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return;
  const env = c.env as Env | undefined;
  if (!env || !(pending in env)) return new Response('websocket upgrade needs the box server', { status: 500 });
  env[pending] = events;
  return new Response(null, { status: 200, headers: { 'x-simpul-upgrade': '1' } });
});

export interface WebSocketAttachment {
  /** Open sockets right now. */
  count(): number;
  /** Closes every socket (before the HTTP server closes: upgraded sockets keep it open). */
  close(): void;
}

function closed(events: WSEvents<WebSocket>) {
  try {
    events.onClose?.(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false }) as CloseEvent, undefined as never);
  } catch {
    /* ignore */
  }
}

/** Answers a refused upgrade with the route's own status, headers (Retry-After) and error body. */
async function refuse(socket: Duplex, res: Response) {
  const status = res.status === 200 ? 400 : res.status;
  let body = Buffer.alloc(0);
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch {
    /* no body */
  }
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}`, 'Connection: close', `Content-Length: ${body.length}`];
  for (const [k, v] of res.headers) if (k !== 'content-length' && k !== 'connection' && k !== 'transfer-encoding' && k !== 'set-cookie') lines.push(`${k}: ${v}`);
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]));
}

export function attachWebSockets(server: Server, fetch: Fetch, opts: { maxPayload?: number } = {}): WebSocketAttachment {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 256 * 1024 });
  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const env: Env = { remoteAddress: req.socket.remoteAddress, [pending]: undefined };
    let res: Response;
    let url: URL | null = null;
    try {
      const encrypted = (req.socket as { encrypted?: boolean }).encrypted;
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      url = new URL(req.url ?? '/', `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
      res = await fetch(new Request(url, { headers }), env);
    } catch {
      res = new Response(null, { status: 500 });
    }
    const events = env[pending];
    if (!events || res.status !== 200 || res.headers.get('x-simpul-upgrade') !== '1') {
      // A route that accepted and was overruled later still hears the end (it may hold a lease).
      if (events) closed(events);
      await refuse(socket, res);
      return;
    }
    // The route's onClose must run exactly once, also when the handshake never completes (the
    // client left, or its headers were bad): it gives back the connection's lease.
    let opened = false;
    socket.once('close', () => {
      if (!opened) closed(events);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      const ctx = new WSContext<WebSocket>({
        raw: ws,
        url,
        get readyState() {
          return ws.readyState as 0 | 1 | 2 | 3;
        },
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
      });
      ws.on('message', (data, isBinary) => {
        const payload = isBinary ? new Uint8Array(data as Buffer).buffer : (data as Buffer).toString('utf8');
        try {
          events.onMessage?.(new MessageEvent('message', { data: payload }), ctx);
        } catch {
          /* the route's own */
        }
      });
      ws.on('close', (code, reason) => {
        try {
          events.onClose?.(Object.assign(new Event('close'), { code, reason: reason.toString(), wasClean: true }) as CloseEvent, ctx);
        } catch {
          /* ignore */
        }
      });
      ws.on('error', () => ws.terminate());
      try {
        events.onOpen?.(new Event('open'), ctx);
      } catch {
        /* ignore */
      }
    });
  };
  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head);
  server.on('upgrade', listener);
  return {
    count: () => wss.clients.size,
    close() {
      server.off('upgrade', listener);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
