import type { Context } from 'hono';
import type { AppEnv } from './env.ts';

/**
 * A server-sent event stream that costs little while idle: one ReadableStream and the caller's
 * closures per client, and one keep-alive timer for all streams of the process (hono's streamSSE
 * keeps a TransformStream, a reader loop, a sleep timer and our interval per client).
 */
export interface EventStream {
  send(event: string, data: string): void;
  /** Ends the stream from the server's side. */
  close(): void;
  readonly ended: boolean;
}

const encoder = new TextEncoder();
const ping = encoder.encode(': ping\n\n');
/** Keep-alive comment: proxies and phones drop a silent connection. */
const keepAliveMs = 20_000;
/** A client that stops reading is dropped once this much waits for it (a queue update is < 2 KiB). */
const maxQueuedBytes = 64 * 1024;

const open = new Set<() => void>();
let keepAlive: NodeJS.Timeout | null = null;

function track(beat: () => void) {
  open.add(beat);
  if (!keepAlive) {
    keepAlive = setInterval(() => {
      for (const b of open) b();
    }, keepAliveMs);
    keepAlive.unref();
  }
}

function untrack(beat: () => void) {
  open.delete(beat);
  if (open.size === 0 && keepAlive) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
}

/**
 * Starts an event stream. `onEnd` runs once, when the client goes away or the server closes it.
 * `retryMs` tells EventSource how soon to reconnect.
 */
export function eventStream(c: Context<AppEnv>, opts: { onEnd: () => void; retryMs?: number }): { response: Response; stream: EventStream } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    untrack(beat);
    opts.onEnd();
  };
  const enqueue = (bytes: Uint8Array) => {
    if (ended) return;
    if ((controller.desiredSize ?? 0) < -maxQueuedBytes) return stream.close();
    controller.enqueue(bytes);
  };
  const beat = () => enqueue(ping);
  const body = new ReadableStream<Uint8Array>(
    {
      start(ctl) {
        controller = ctl;
      },
      cancel() {
        end();
      }, // the client went away
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
  const stream: EventStream = {
    send(event, data) {
      enqueue(encoder.encode(`event: ${event}\ndata: ${data.replace(/\r\n|\r|\n/g, '\ndata: ')}\n\n`));
    },
    close() {
      if (ended) return;
      try {
        controller.close();
      } catch {
        /* already closed */
      }
      end();
    },
    get ended() {
      return ended;
    },
  };
  if (opts.retryMs !== undefined) enqueue(encoder.encode(`retry: ${opts.retryMs}\n\n`));
  track(beat);
  const response = c.body(body, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return { response, stream };
}
