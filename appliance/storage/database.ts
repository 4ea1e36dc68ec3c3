/**
 * The box's storage layer: the one module that opens, configures, migrates and closes the database.
 *
 * Durability (default, `durable: true`): every COMMIT returns only after its WAL is on stable
 * storage; checkpoints sync data files before the WAL covering them is recycled; directories are
 * synced where files are created or renamed. PGlite does none of this out of the box (it starts
 * Postgres with fsync off and its Node filesystem cannot sync); see durable-fs.ts for how it is
 * fixed and test/storage-*.test.ts for the proofs (strace ordering, kill -9, simulated power cut).
 *
 * `durable: false` is a BENCHMARK MODE ONLY: it is PGlite's stock behaviour — no sync ever
 * reaches the disk, so a power cut can lose acknowledged writes or corrupt the database.
 * Never use it on a clinic's box.
 *
 * Footprint (measured, see test/bench/storage.ts): shared_buffers=16MB, a small max_connections and
 * capped WAL size; see `tunedStartParams` for each value and why.
 *
 * First boot: if a template archive (a data dir made at build time by `template-cli.ts`) is present,
 * it is extracted instead of running initdb inside PGlite (which spawns a second PGlite and peaks
 * near 850 MB RSS). Either way the new data dir is built beside the final one, synced, and renamed
 * into place, so an interrupted first boot never leaves a half-made database that looks real.
 *
 * An existing data dir is never re-initialised: if it is not a readable Postgres data dir of the
 * right version, or Postgres cannot start on it, `openDatabase` throws `CorruptDataDirError`.
 */
import { PGlite, type Extensions } from '@electric-sql/pglite';
import * as fs from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from './migrations.ts';
import { DurableNodeFS, durableStartParams, syncPath, syncTree, type SyncObserver } from './durable-fs.ts';
import { extractArchive } from './tarball.ts';
import { pgliteVersion, templateFits } from './template.ts';
import { acquireLock } from './lock.ts';
import { serveControlSocket, setPgdataResolver } from './backup.ts';
import { mkdirPrivate, tightenTree } from './private-files.ts';

export interface OpenOptions {
  /** Directory holding the box's data; the database lives in `<dataDir>/pgdata`. */
  dataDir: string;
  /**
   * true (default): every commit is on stable storage before it returns.
   * false: BENCHMARK MODE ONLY — PGlite's stock no-sync behaviour; a power cut may lose or corrupt data.
   */
  durable?: boolean;
  /** Postgres shared_buffers (default '16MB', chosen by measuring RSS; see tunedStartParams). */
  sharedBuffers?: string;
  /**
   * First-boot template archive (made by `template-cli.ts build`). Default: `DEFAULT_TEMPLATE`
   * if that file exists. `false` forces PGlite's initdb.
   */
  template?: string | false;
  /** Run migrations (default true). */
  migrate?: boolean;
  /** PGlite extensions to load (e.g. amcheck for consistency checks). */
  extensions?: Extensions;
  /** Extra `-c name=value` Postgres settings. */
  settings?: Record<string, string>;
  /** Test hook: sees every sync (and may wrap file operations) of the opened database. */
  observer?: SyncObserver;
  /** Serve `<dataDir>/storage.sock` for online backups by backup-cli (default true). */
  controlSocket?: boolean;
  /** Where to write one-line storage events (default: console.error). */
  log?: (line: string) => void;
}

/** The first-boot template shipped with the box (built by `npx tsx appliance/storage/template-cli.ts build`). */
export const DEFAULT_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), 'pgdata-template.tar.gz');

/** The PG major version this PGlite build runs (data dirs of any other version are refused). */
export const PG_MAJOR = '18';

export type CorruptReason = 'not-a-data-dir' | 'version-mismatch' | 'unreadable' | 'start-failed' | 'data-corrupted';

/**
 * The data dir exists but cannot be used. The box must not start (and must never re-initialise
 * over it): restore it from a backup (`backup-cli.ts restore`) or investigate by hand.
 */
export class CorruptDataDirError extends Error {
  override name = 'CorruptDataDirError';
  constructor(
    readonly pgdata: string,
    readonly reason: CorruptReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `storage: data dir ${pgdata} is corrupt or unreadable (${reason}): ${detail}. ` +
        'Refusing to start; it will not be re-initialised. Restore from a backup or inspect it by hand.',
      options,
    );
  }
}

/**
 * SQLSTATEs that mean the files are damaged, not that a statement was wrong: data_corrupted
 * (`invalid page in block 0 of relation …`, a short read of a block, a missing TOAST chunk),
 * index_corrupted, and undefined_file (a relation's file is missing).
 */
const CORRUPTION_CODES = new Set(['XX001', 'XX002', '58P01']);

/**
 * The CorruptDataDirError an error from the database amounts to, if it says the files are damaged;
 * null for any other error. Corruption found while migrating or seeding at start must stop the box
 * the same way as a data dir that will not open (main.ts: up, /healthz 503, a page saying what to do).
 */
export function corruptionIn(err: unknown, pgdata: string): CorruptDataDirError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !CORRUPTION_CODES.has(code)) return null;
  return new CorruptDataDirError(pgdata, 'data-corrupted', `${code} ${(err as Error).message}`, { cause: err });
}

/** What openDatabase knows about an open database (for health checks, tests and the benchmark). */
export interface StorageInfo {
  pgdata: string;
  durable: boolean;
  fs: DurableNodeFS;
  /** How this open started: an existing data dir, a template, or initdb. */
  boot: 'existing' | 'template' | 'initdb';
  openMs: number;
}
const infos = new WeakMap<PGlite, StorageInfo>();
export function storageInfo(db: PGlite): StorageInfo | undefined {
  return infos.get(db);
}
setPgdataResolver((db) => infos.get(db)?.pgdata);

/**
 * Postgres settings for the box, each chosen by measurement (test/bench/storage.ts) or by reasoning:
 *  - shared_buffers=16MB: test/bench/storage.ts, a year of data (59 MB), 20 clients: RSS idle / under
 *    load ≈ 350 / 400 MB at PGlite's 128MB default, ≈ 260 / 300 MB at 32MB, ≈ 220 / 250–290 MB at
 *    16MB, no better at 8MB; the hot set fits and the OS page cache backs the rest. With node's
 *    `--max-semi-space-size=2 --max-old-space-size=160` the box stays ≈ 180 idle / ≤ 250 MB peak.
 *  - max_connections=8: single-user mode uses one backend, but shared memory (PGPROC, lock tables)
 *    is sized by it; PGlite's initdb default of 100 wastes memory.
 *  - max_wal_size=64MB / min_wal_size=32MB: in single-user mode there is no checkpointer process,
 *    so checkpoints only happen when WAL reaches max_wal_size (PGlite's default 1GB). Crash recovery
 *    replays everything since the last checkpoint, so 1GB means a slow restart after a power cut;
 *    64MB keeps it short (measured: reopen after kill -9 in a 4-writer stream of 8 KB rows ≈ 1.25 s
 *    against ≈ 0.75 s clean) and the disk footprint small.
 *  - wal_compression=on (lz4 unavailable → pglz): full-page images are most of the WAL after each
 *    checkpoint; compressing them trades a little CPU for fewer bytes to sync.
 */
export function tunedStartParams(opts: { durable: boolean; sharedBuffers?: string; settings?: Record<string, string> }): string[] {
  const settings: Record<string, string> = {
    shared_buffers: opts.sharedBuffers ?? '16MB',
    max_connections: '8',
    max_wal_size: '64MB',
    min_wal_size: '32MB',
    wal_compression: 'on',
    ...opts.settings,
  };
  const params = durableStartParams(PGlite.defaultStartParams, opts.durable);
  for (const [k, v] of Object.entries(settings)) params.push('-c', `${k}=${v}`);
  return params;
}

function isEmptyDir(p: string): boolean {
  return fs.readdirSync(p).length === 0;
}

/** Checks the files that make a data dir; throws CorruptDataDirError if any is wrong. */
export function checkDataDir(pgdata: string): void {
  let version: string;
  try {
    version = fs.readFileSync(join(pgdata, 'PG_VERSION'), 'utf8').trim();
  } catch (e: any) {
    if (e?.code === 'ENOENT') throw new CorruptDataDirError(pgdata, 'not-a-data-dir', 'PG_VERSION is missing', { cause: e });
    throw new CorruptDataDirError(pgdata, 'unreadable', `PG_VERSION: ${e?.message}`, { cause: e });
  }
  if (version !== PG_MAJOR) throw new CorruptDataDirError(pgdata, 'version-mismatch', `PG_VERSION is ${JSON.stringify(version.slice(0, 20))}, this build runs ${PG_MAJOR}`);
  for (const f of ['global/pg_control', 'postgresql.conf']) {
    try {
      const st = fs.statSync(join(pgdata, f));
      if (f === 'global/pg_control' && st.size !== 8192) throw new CorruptDataDirError(pgdata, 'unreadable', `global/pg_control is ${st.size} bytes, not 8192`);
      fs.accessSync(join(pgdata, f), fs.constants.R_OK | fs.constants.W_OK);
    } catch (e: any) {
      if (e instanceof CorruptDataDirError) throw e;
      throw new CorruptDataDirError(pgdata, e?.code === 'ENOENT' ? 'not-a-data-dir' : 'unreadable', `${f}: ${e?.message}`, { cause: e });
    }
  }
  for (const d of ['base', 'global', 'pg_wal', 'pg_xact']) {
    if (!fs.existsSync(join(pgdata, d))) throw new CorruptDataDirError(pgdata, 'not-a-data-dir', `${d}/ is missing`);
  }
}

/**
 * Creates `<dataDir>/pgdata` from the template (or initdb), atomically: built in a sibling
 * directory, synced, then renamed into place and the parent synced.
 */
async function createDataDir(dataDir: string, pgdata: string, template: string | null, opts: OpenOptions): Promise<'template' | 'initdb'> {
  const staging = join(dataDir, `pgdata.init-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  let boot: 'template' | 'initdb' = 'template';
  if (template) {
    const manifest = await extractArchive(template, staging); // extracts, fsyncs files and directories
    if (templateFits(manifest)) {
      boot = 'template';
    } else {
      (opts.log ?? console.error)(`storage: template ${template} was made for another PGlite (${manifest?.meta.pglite ?? 'unknown'}, running ${pgliteVersion()}); using initdb`);
      fs.rmSync(staging, { recursive: true, force: true });
      template = null;
    }
  }
  if (!template) {
    // PGlite's initdb (a second, in-memory PGlite; ~850 MB peak) writes into staging via our FS.
    const durable = opts.durable ?? true;
    const db = await PGlite.create({ fs: new DurableNodeFS(staging, { durable }), startParams: tunedStartParams({ durable, sharedBuffers: opts.sharedBuffers }) });
    await db.close(); // clean shutdown checkpoint
    syncTree(staging); // PGlite copies initdb's output in without syncing: sync everything
    boot = 'initdb';
  }
  if (fs.existsSync(pgdata)) fs.rmdirSync(pgdata); // only ever an empty dir (checked by the caller)
  fs.renameSync(staging, pgdata);
  syncPath(dataDir);
  return boot;
}

/**
 * Opens (creating if need be) and migrates the box's database. The one owner of PGlite.
 * Takes `<dataDir>/pgdata.lock` (one process per data dir) and serves `<dataDir>/storage.sock` for
 * online backups; `db.close()` releases both.
 */
export async function openDatabase(opts: OpenOptions): Promise<PGlite> {
  const t0 = performance.now();
  const log = opts.log ?? ((l: string) => console.error(l));
  const durable = opts.durable ?? true;
  if (!durable) log('storage: durable=false — BENCHMARK MODE, acknowledged writes can be lost in a power cut');
  mkdirPrivate(opts.dataDir);
  const pgdata = join(opts.dataDir, 'pgdata');
  const release = acquireLock(opts.dataDir);
  try {
    // A box made before files were created private (or a data dir copied in by hand) has files
    // any local user could read: fix them once, before anything else reads or writes.
    const loosened = tightenTree(opts.dataDir);
    if (loosened) log(`storage: made ${loosened} files and directories under ${opts.dataDir} private to the box's user (0600/0700)`);
    // Leftovers of an interrupted first boot or restore are never the clinic's records: remove them.
    for (const name of fs.readdirSync(opts.dataDir)) {
      if (name.startsWith('pgdata.init-')) fs.rmSync(join(opts.dataDir, name), { recursive: true, force: true });
    }

    let boot: StorageInfo['boot'] = 'existing';
    if (!fs.existsSync(pgdata) || (fs.statSync(pgdata).isDirectory() && isEmptyDir(pgdata))) {
      const tpl = opts.template === false ? null : (opts.template ?? DEFAULT_TEMPLATE);
      const useTpl = tpl && fs.existsSync(tpl) ? tpl : null;
      if (opts.template && !useTpl) throw new Error(`storage: template ${opts.template} not found`);
      boot = await createDataDir(opts.dataDir, pgdata, useTpl, opts);
      log(`storage: created a new database at ${pgdata} from ${boot === 'template' ? `template ${useTpl}` : 'initdb'}`);
    }
    checkDataDir(pgdata);

    const dfs = new DurableNodeFS(pgdata, { durable, observer: opts.observer });
    const stderr: string[] = [];
    let db: PGlite;
    try {
      db = await PGlite.create({
        fs: dfs,
        startParams: tunedStartParams({ durable, sharedBuffers: opts.sharedBuffers, settings: opts.settings }),
        extensions: opts.extensions,
        onStderr: (line: string) => {
          stderr.push(line);
          if (stderr.length > 20) stderr.shift();
          return true;
        },
      });
    } catch (e: any) {
      const tail = stderr.join(' | ').slice(-600);
      const err = new CorruptDataDirError(pgdata, 'start-failed', `Postgres would not start: ${e?.message ?? e}${tail ? ` — ${tail}` : ''}`, { cause: e });
      log(err.message);
      throw err;
    }
    if (opts.migrate ?? true) {
      try {
        await migrate(db);
      } catch (e) {
        await db.close().catch(() => {});
        throw corruptionIn(e, pgdata) ?? e;
      }
    }
    const info: StorageInfo = { pgdata, durable, fs: dfs, boot, openMs: performance.now() - t0 };
    infos.set(db, info);
    const closeControl = opts.controlSocket === false ? async () => {} : serveControlSocket(db, opts.dataDir, log);
    const pgliteClose = db.close.bind(db);
    let closing: Promise<void> | null = null;
    db.close = () =>
      (closing ??= (async () => {
        await closeControl();
        try {
          await pgliteClose();
        } finally {
          release();
        }
      })());
    log(`storage: database open at ${pgdata} (${boot}, durable=${durable}) in ${info.openMs.toFixed(0)} ms`);
    return db;
  } catch (e) {
    if (e instanceof CorruptDataDirError && e.reason !== 'start-failed') log(e.message);
    release();
    throw e;
  }
}

/** An in-memory database for tests that are not about storage. */
export async function openMemoryDatabase(): Promise<PGlite> {
  const db = await PGlite.create();
  await migrate(db);
  return db;
}
