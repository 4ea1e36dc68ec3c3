/**
 * The box's status report (contract v2, central/contract/status-v2.ts): what the hub's operators
 * see of this box. Every figure comes from a source that can be replaced (tests, the fleet
 * simulator, and the lead wiring the clock module and the relay process at merge); the defaults
 * read what the box can find cheaply itself. A source that fails gives null, never a lost report.
 */
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { loadavg, uptime } from 'node:os';
import type { BoxStatusV2, StatusEvent } from '../../central/contract/index.ts';
import type { Queryable } from '../clinic/db.ts';
import type { SyncStats } from './backlog.ts';
import { readUpdateOutcome } from '../update-outcome.ts';

export interface StatusSources {
  software(): string;
  bootId(): string;
  uptimeS(): number;
  uncleanStops(): number;
  disk(): Promise<{ free: number; total: number }>;
  memory(): Promise<{ box: number; relay: number | null }>;
  load(): number;
  dbBytes(): Promise<number | null>;
  backup(): Promise<{ at: string; bytes: number; ok: boolean } | null>;
  /** The box's clock (appliance/clock/trusted-clock.ts, passed in by box.ts); by default trusted with no known offset. */
  clock(): { trusted: boolean; offsetMs: number | null };
  certExpiresAt(): string | null;
  relay(): Promise<{ calls: number; good: number; restarts: number } | null>;
  queue(): Promise<{ tickets: number; served: number; medianWaitS: number | null } | null>;
  /** A storage fault seen since start (a corrupt page found by a query). */
  corrupt(): boolean;
  /** The last release update's outcome (update.sh's file, appliance/update-outcome.ts): how a rollout at the hub sees this box. */
  update(): { outcome: 'committed' | 'rolled-back' | 'interrupted'; version: string; at: string } | null;
}

/** Below this share of the data dir's disk free, storage is reported `disk_low` (and urgently). */
export const DISK_LOW_FRACTION = 0.1;

const SOFTWARE = (() => {
  try {
    const v = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    return typeof v === 'string' && /^[0-9A-Za-z.+_-]{1,40}$/.test(v) ? v : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

function readBootId(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^[0-9a-f-]{1,40}$/.test(id) ? id : '0';
  } catch {
    return '0';
  }
}

/** Sources from the box's own database, disk and process; `dataDir` is the data dir's disk. */
export function defaultStatusSources(db: Queryable, dataDir: string, over: Partial<StatusSources> = {}): StatusSources {
  const bootId = readBootId();
  return {
    software: () => SOFTWARE,
    bootId: () => bootId,
    uptimeS: () => Math.round(uptime()),
    uncleanStops: () => 0,
    async disk() {
      const fs = await statfs(dataDir);
      return { free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize };
    },
    memory: async () => ({ box: process.memoryUsage().rss, relay: null }),
    load: () => Math.round(loadavg()[0] * 100) / 100,
    async dbBytes() {
      const { rows } = await db.query<{ n: number }>(`SELECT pg_database_size(current_database())::float8 AS n`);
      return Math.round(rows[0].n);
    },
    backup: async () => null,
    clock: () => ({ trusted: true, offsetMs: null }),
    certExpiresAt: () => null,
    async relay() {
      // A call is good when both legs spent most samples at "good" (relay/quality.ts levels).
      const { rows } = await db.query<{ calls: number; good: number }>(
        `SELECT count(*)::int AS calls,
                count(*) FILTER (WHERE coalesce((summary#>>'{legs,patient,levels,good}')::int, 0) * 2 >= coalesce((summary#>>'{legs,patient,samples}')::int, 0)
                                   AND coalesce((summary#>>'{legs,doctor,levels,good}')::int, 0) * 2 >= coalesce((summary#>>'{legs,doctor,samples}')::int, 0))::int AS good
           FROM call_quality WHERE started_at >= date_trunc('day', now())`,
      );
      return { calls: rows[0].calls, good: rows[0].good, restarts: 0 };
    },
    async queue() {
      const { rows } = await db.query<{ tickets: number; served: number; wait: number | null }>(
        `SELECT count(*)::int AS tickets, count(served_at)::int AS served,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM served_at - taken_at)) AS wait
           FROM queue_tickets WHERE day = (SELECT max(day) FROM queue_tickets)`,
      );
      const r = rows[0];
      return { tickets: r.tickets, served: r.served, medianWaitS: r.wait == null ? null : Math.max(0, Math.round(r.wait)) };
    },
    corrupt: () => false,
    update: () => {
      const u = readUpdateOutcome(dataDir);
      return u && /^[0-9A-Za-z.+_-]{1,40}$/.test(u.version) && !Number.isNaN(Date.parse(u.at))
        ? { outcome: u.outcome, version: u.version, at: new Date(u.at).toISOString() }
        : null;
    },
    ...over,
  };
}

const orNull = async <T>(p: () => Promise<T> | T): Promise<T | null> => {
  try {
    return await p();
  } catch {
    return null;
  }
};

/** One report: the outbox figures from sync's stats, the rest from the sources. */
export async function buildStatusReport(src: StatusSources, st: SyncStats, o: { hello: boolean; now: Date; events?: StatusEvent[] }): Promise<BoxStatusV2> {
  const [disk, mem, dbBytes, backup, relay, queue] = await Promise.all([
    orNull(src.disk),
    orNull(src.memory),
    orNull(src.dbBytes),
    orNull(src.backup),
    orNull(src.relay),
    orNull(src.queue),
  ]);
  const d = disk ?? { free: 0, total: 0 };
  const diskLow = d.total > 0 && d.free / d.total < DISK_LOW_FRACTION;
  const report: BoxStatusV2 = {
    v: 2,
    kind: 'status',
    at: o.now.toISOString(),
    hello: o.hello,
    pending: st.pending,
    parked: st.parked,
    bytesPending: Math.round(st.bytesPending),
    oldestPendingAgeSeconds: st.oldestPendingAgeSeconds == null ? null : Math.round(st.oldestPendingAgeSeconds),
    lastSyncAt: st.lastSyncAt,
    lastError: st.lastError?.slice(0, 500) ?? null,
    sw: src.software(),
    bootId: src.bootId(),
    uptimeS: Math.round(src.uptimeS()),
    uncleanStops: src.uncleanStops(),
    disk: { free: Math.round(d.free), total: Math.round(d.total) },
    mem: mem ?? { box: process.memoryUsage().rss, relay: null },
    load: src.load(),
    dbBytes,
    backup,
    clock: src.clock(),
    certExpiresAt: src.certExpiresAt(),
    relay,
    queue,
    storage: src.corrupt() ? 'corrupt' : diskLow ? 'disk_low' : 'ok',
  };
  const update = await orNull(src.update);
  if (update) report.update = update;
  if (o.events?.length) report.events = [...new Set(o.events)];
  return report;
}
