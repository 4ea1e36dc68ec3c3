/**
 * Online, consistent backups of the box's database to one file, and restore from it.
 *
 * Consistency: PGlite is one Postgres backend behind a mutex. `backupDatabase` first runs a
 * CHECKPOINT (so a restore has little WAL to replay), then takes PGlite's transaction and query
 * mutexes — i.e. waits until no query or `db.transaction()` is running — and copies the data dir's
 * files to a staging directory while holding them. Nothing can write meanwhile, so the copy is
 * exactly the state a crash at that instant would leave on disk: committed WAL is all on disk
 * (durable mode), data files are at least as new as the last checkpoint, and Postgres's crash
 * recovery at restore brings it to the last commit before the backup. Writes wait only for the
 * copy (tens of ms for a small database), not for the compression, which runs after the lock is
 * released. (PGlite's own `dumpDataDir()` would be consistent in the same way, but builds the
 * whole tarball in memory; this streams with bounded memory and adds a checksummed manifest.)
 *
 * Restore extracts into a staging directory beside the target, verifies every file against the
 * manifest, fsyncs, and renames into place. It refuses a non-empty target.
 *
 * A running box owns its data dir (see lock.ts), so another process (the firmware scripts) cannot
 * open it: openDatabase serves a tiny control socket `<dataDir>/storage.sock` (mode 0600) that
 * accepts `{"cmd":"backup","file":...}`, and `backup-cli.ts` uses it when the box is running.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { join, dirname, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { writeArchive, extractArchive, type ArchiveManifest } from './tarball.ts';
import { syncPath } from './durable-fs.ts';
import { mkdirPrivate } from './private-files.ts';
import { pgliteVersion } from './template.ts';

export interface BackupResult {
  file: string;
  bytes: number;
  files: number;
  /** How long writes were held (the copy), and the whole backup. */
  lockedMs: number;
  totalMs: number;
}

/** The data dir of a database opened by openDatabase (avoids a circular import). */
type PgdataOf = (db: PGlite) => string | undefined;
let pgdataOf: PgdataOf = () => undefined;
export function setPgdataResolver(f: PgdataOf) {
  pgdataOf = f;
}

function copyTree(src: string, dst: string) {
  fs.mkdirSync(dst, { recursive: true, mode: 0o700 });
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = join(src, ent.name);
    const d = join(dst, ent.name);
    if (ent.isDirectory()) copyTree(s, d);
    else if (ent.isFile()) fs.copyFileSync(s, d);
  }
}

/** Writes a consistent backup of the open database `db` to `file` (tar.gz, replaced atomically). */
export async function backupDatabase(db: PGlite, file: string): Promise<BackupResult> {
  const t0 = performance.now();
  const pgdata = pgdataOf(db);
  if (!pgdata) throw new Error('backupDatabase: this database was not opened by openDatabase (or is in memory)');
  file = resolve(file);
  if (!fs.existsSync(dirname(file))) mkdirPrivate(dirname(file));
  const staging = `${file}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    await db.exec('CHECKPOINT');
    let lockedMs = 0;
    await db._runExclusiveTransaction(() =>
      db._runExclusiveQuery(async () => {
        const t = performance.now();
        copyTree(pgdata, staging);
        lockedMs = performance.now() - t;
      }),
    );
    // A backup is a restorable data dir, not a running one: drop the pid file PGlite keeps there.
    fs.rmSync(join(staging, 'postmaster.pid'), { force: true });
    const manifest = await writeArchive(staging, file, { purpose: 'backup', pglite: pgliteVersion(), pgMajor: fs.readFileSync(join(staging, 'PG_VERSION'), 'utf8').trim() });
    return { file, bytes: fs.statSync(file).size, files: manifest.files.length, lockedMs, totalMs: performance.now() - t0 };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export class RestoreError extends Error {
  override name = 'RestoreError';
}

/**
 * Restores a backup into `dataDir` (which must not exist or be empty): the database ends up in
 * `<dataDir>/pgdata`, ready for openDatabase (which runs crash recovery from the backup's WAL).
 */
export async function restoreBackup(file: string, dataDir: string): Promise<ArchiveManifest> {
  if (!fs.existsSync(file)) throw new RestoreError(`backup file ${file} does not exist`);
  if (fs.existsSync(dataDir)) {
    if (!fs.statSync(dataDir).isDirectory()) throw new RestoreError(`${dataDir} exists and is not a directory`);
    if (fs.readdirSync(dataDir).length > 0) throw new RestoreError(`refusing to restore into non-empty ${dataDir}`);
  }
  mkdirPrivate(dataDir);
  const staging = join(dataDir, `pgdata.init-restore-${process.pid}`);
  try {
    const manifest = await extractArchive(file, staging);
    if (!manifest || manifest.meta.purpose !== 'backup') throw new RestoreError(`${file} is not a Simpul backup`);
    fs.renameSync(staging, join(dataDir, 'pgdata'));
    syncPath(dataDir);
    syncPath(dirname(resolve(dataDir)));
    return manifest;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

export function controlSocketOf(dataDir: string) {
  return join(dataDir, 'storage.sock');
}

/** Serves backup requests for a running box on `<dataDir>/storage.sock`. Returns a closer. */
export function serveControlSocket(db: PGlite, dataDir: string, log: (l: string) => void): () => Promise<void> {
  const path = controlSocketOf(dataDir);
  if (Buffer.byteLength(path) > 100) {
    log(`storage: control socket path too long (${path}); online backup via backup-cli is unavailable`);
    return async () => {};
  }
  fs.rmSync(path, { force: true }); // stale from a crash (the data dir lock is ours)
  const server = net.createServer((conn) => {
    let buf = '';
    conn.on('data', async (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let reply: unknown;
      try {
        const req = JSON.parse(buf.slice(0, nl));
        if (req.cmd !== 'backup' || typeof req.file !== 'string') throw new Error('unknown request');
        reply = { ok: true, ...(await backupDatabase(db, req.file)) };
        log(`storage: backup written to ${req.file}`);
      } catch (e: any) {
        reply = { ok: false, error: String(e?.message ?? e) };
      }
      conn.end(JSON.stringify(reply) + '\n');
    });
    conn.on('error', () => {});
  });
  server.on('error', (e) => log(`storage: control socket error: ${e.message}`));
  const old = process.umask(0o177);
  try {
    server.listen(path);
  } finally {
    process.umask(old);
  }
  server.unref();
  return () =>
    new Promise<void>((res) => {
      server.close(() => res());
      fs.rmSync(path, { force: true });
    });
}

/** Asks the box running on `dataDir` to write a backup to `file`. */
export function requestBackup(dataDir: string, file: string, timeoutMs = 600_000): Promise<BackupResult> {
  return new Promise((res, rej) => {
    const conn = net.createConnection(controlSocketOf(dataDir));
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      rej(new Error('backup request timed out'));
    }, timeoutMs);
    conn.on('connect', () => conn.write(JSON.stringify({ cmd: 'backup', file: resolve(file) }) + '\n'));
    conn.on('data', (d) => (buf += d));
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(buf);
        if (r.ok) res(r as BackupResult);
        else rej(new Error(r.error));
      } catch (e) {
        rej(e);
      }
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
  });
}
