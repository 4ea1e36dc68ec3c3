/**
 * A stream route's lease from the live-connection caps (live-connections.ts), answered in the
 * HTTP layer's error shape. Kept apart from the counter so that the counter, which the app's
 * environment type names, does not import that type back.
 */
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { errorResponse } from './errors.ts';
import { liveRetryAfterSeconds, type LiveLease } from './live-connections.ts';

/** Takes a lease for this request's stream, or answers why not: 429 for the address, 503 for the box. */
export function leaseFor(c: Context<AppEnv>): LiveLease | Response {
  const lease = c.get('deps').live.acquire(c.env?.remoteAddress, { staff: c.get('session') !== undefined });
  if (typeof lease !== 'string') return lease;
  c.header('Retry-After', String(liveRetryAfterSeconds));
  const { perAddress, total } = c.get('deps').live.limits;
  return lease === 'per_address'
    ? errorResponse(c, 'too_many_connections', { limit: perAddress, retryAfterSeconds: liveRetryAfterSeconds })
    : errorResponse(c, 'server_busy', { limit: total, retryAfterSeconds: liveRetryAfterSeconds });
}
