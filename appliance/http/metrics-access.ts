import { timingSafeEqual, createHash } from 'node:crypto';

/**
 * Who may read /metrics (queue sizes, backlog, request counts: not patient data, but a map of
 * the clinic's day for anyone on the Wi-Fi). Always the box itself (loopback: a technician's
 * `curl` on the box, a local exporter); the monitoring addresses in `metricsAllowFrom`; and anyone
 * with `Authorization: Bearer <metricsToken>`. Without configuration, loopback only.
 */
export interface MetricsAccess {
  token?: string;
  allowFrom: readonly string[];
}

/** An IPv4 address as Node reports it on a dual-stack socket (`::ffff:a.b.c.d`) in its plain form. */
const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();

export const isLoopback = (address: string) => {
  const a = plain(address);
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
};

const digest = (s: string) => createHash('sha256').update(s).digest();

export function mayReadMetrics(remote: string, authorization: string | undefined, access: MetricsAccess | undefined): boolean {
  if (isLoopback(remote)) return true;
  if (access?.allowFrom.some((a) => plain(a) === plain(remote))) return true;
  const bearer = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  // Compare digests: equal length for timingSafeEqual, and no early exit on the first wrong byte.
  return !!access?.token && !!bearer && timingSafeEqual(digest(bearer), digest(access.token));
}
