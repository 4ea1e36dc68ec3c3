/**
 * What a remote job does on this box, built from the box's parts: a backup of the database to
 * `<dataDir>/backups/remote-latest.tar.gz` (one file, replaced: a job repeated every day does not
 * fill the disk), a restart of the relay process, a diagnostics bundle (versions, health, backlog,
 * the last log lines' sentences: no patient data), and a change of the sync settings.
 */
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { backupDatabase } from '../storage/backup.ts';
import { pgliteVersion } from '../storage/template.ts';
import type { Sync } from '../sync/index.ts';
import { checkRemoteSettings } from '../sync/remote-settings.ts';
import type { JobActions } from './runner.ts';
import type { LogTail } from './log-tail.ts';

export interface BoxParts {
  dataDir: string;
  /** The box's database as openDatabase opened it (the backup copies its files). */
  pglite: PGlite;
  sync: Pick<Sync, 'stats' | 'applySettings'>;
  /** The relay process's pid now (undefined while it is not running); a SIGTERM makes its host start it again. */
  relayPid: () => number | undefined;
  tail: LogTail | null;
  /** How long a restarted relay may take to come back before the job says failed. */
  relayRestartTimeoutMs?: number;
}

function boxVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const started = Date.now();

export function boxJobActions(p: BoxParts): JobActions {
  return {
    async backup() {
      const r = await backupDatabase(p.pglite, join(p.dataDir, 'backups', 'remote-latest.tar.gz'));
      return { bytes: r.bytes, files: r.files, lockedMs: Math.round(r.lockedMs), file: 'backups/remote-latest.tar.gz' };
    },

    async restartRelay() {
      const before = p.relayPid();
      if (before === undefined) throw new Error('the relay process is not running (it is being started again already)');
      process.kill(before, 'SIGTERM');
      const deadline = Date.now() + (p.relayRestartTimeoutMs ?? 60_000);
      while (Date.now() < deadline) {
        const now = p.relayPid();
        if (now !== undefined && now !== before) return { restarted: true };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the relay process did not come back in time');
    },

    async diagnostics() {
      const fs = await statfs(p.dataDir);
      const st = await p.sync.stats();
      let database = 'ok';
      try {
        await p.pglite.query('SELECT 1');
      } catch (e) {
        database = `error: ${(e as Error).message}`.slice(0, 200);
      }
      return {
        versions: { box: boxVersion(), node: process.version, pglite: pgliteVersion() },
        health: {
          database,
          diskFreeMb: Math.round((fs.bavail * fs.bsize) / 1_048_576),
          diskTotalMb: Math.round((fs.blocks * fs.bsize) / 1_048_576),
          rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
          uptimeS: Math.round((Date.now() - started) / 1000),
          relayRunning: p.relayPid() !== undefined,
        },
        sync: {
          connected: st.connected,
          pending: st.pending,
          parked: st.parked,
          oldestPendingAgeSeconds: st.oldestPendingAgeSeconds,
          lastSyncAt: st.lastSyncAt,
          reconnects: st.reconnects,
        },
        log: p.tail?.last(30) ?? [],
      };
    },

    async syncSettings(change) {
      const why = checkRemoteSettings(change);
      if (why) throw new Error(why);
      return p.sync.applySettings(change);
    },
  };
}
