/**
 * A PGlite filesystem for Node that keeps Postgres's durability promises.
 *
 * Why this exists (PGlite 0.5.16): PGlite starts Postgres with `-F` (fsync off), and even with
 * fsync on its Node filesystem (Emscripten's NODEFS) makes no sync system call at all:
 *
 *  - Postgres's `fsync(fd)` becomes the WASI import `fd_sync`, which calls the Emscripten stream's
 *    `stream_ops.fsync` — NODEFS has none, so it silently succeeds without syncing.
 *  - Postgres's `fdatasync(fd)` becomes the import `__syscall_fdatasync`, which only checks that the
 *    fd exists and returns 0 — no hook at all.
 *
 * This class (a subclass of PGlite's own `NodeFS`) fixes both inside one PGlite instance:
 *
 *  - it gives NODEFS a `stream_ops.fsync` that calls `fs.fsyncSync` on the host fd — for regular
 *    files and for directories (Postgres opens a directory O_RDONLY and fsyncs it after creating or
 *    renaming files in it: `fsync_fname(dir, true)`, `durable_rename`, `fsync_parent_path`; NODEFS
 *    opens directories as real host fds, so the hook receives them — proved by the strace test);
 *  - it replaces the wasm import `__syscall_fdatasync` with one that calls `fs.fdatasyncSync` on the
 *    host fd, so Postgres's default `wal_sync_method=fdatasync` really syncs the WAL.
 *
 * Together with start parameters that turn fsync back on (see `durableStartParams`), Postgres's own
 * machinery then does the rest: WAL flushed and synced before COMMIT returns, data files synced by
 * the checkpoint before the WAL covering them is recycled, directories synced on create/rename.
 *
 * A sync failure is reported to Postgres as EIO, which makes it PANIC (data_sync_retry=off): the box
 * must restart and recover from the WAL rather than carry on after losing writes.
 *
 * It also keeps the data dir private: NODEFS creates files with the mode Postgres (or PGlite's copy
 * of initdb's output, 0666) asks for, minus the process umask — world-readable patient records under
 * umask 022, writable under 000. Every file it creates is 0600 and every directory 0700, and a
 * chmod through it cannot loosen that (see private-files.ts).
 *
 * `SyncObserver` lets a test journal every file operation (see test/storage-powercut.test.ts).
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import type { PGlite } from '@electric-sql/pglite';
import { mkdirPrivate, privateMode } from './private-files.ts';

/** Emscripten errno numbers (musl/wasm), as PGlite's base.ts lists them. */
const EIO = 29;
const EBADF = 8;

/** What one sync syscall was issued for, for observers and counters. */
export type SyncKind = 'fsync' | 'fdatasync';

/** Hooks a test can use to see (and journal) what the database does to its files. */
export interface SyncObserver {
  /** Called after each successful host sync of `path` (absolute host path; `nfd` the host fd). */
  onSync?(path: string, kind: SyncKind, isDir: boolean, nfd: number): void;
  /**
   * Called once with the Emscripten NODEFS object before the data dir is mounted, so that a test
   * can wrap more operations (write, rename, truncate...). Production code does not use it.
   */
  patchNodefs?(nodefs: EmscriptenNodefs, FS: EmscriptenFS): void;
}

/* Minimal shapes of the Emscripten objects we touch (they are untyped in PGlite's public types). */
export interface EmscriptenStream {
  nfd?: number;
  node: { mode: number };
  path?: string;
  stream_ops: { fsync?: (s: EmscriptenStream) => number };
}
export interface EmscriptenNodefs {
  stream_ops: Record<string, (...args: any[]) => any>;
  node_ops: Record<string, (...args: any[]) => any>;
  realPath(node: unknown): string;
}
export interface EmscriptenFS {
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  getStream(fd: number): EmscriptenStream | null;
  ErrnoError: new (errno: number) => Error;
}

export interface DurableNodeFSOptions {
  /** Sync for real (default). `false` = PGlite's stock behaviour: no sync at all (benchmarks only). */
  durable?: boolean;
  observer?: SyncObserver;
}

/** Counts of host syncs made through the hooks, for tests and the benchmark. */
export interface SyncCounters {
  fsync: number;
  fdatasync: number;
  dirFsync: number;
}

export class DurableNodeFS extends NodeFS {
  readonly durable: boolean;
  readonly counters: SyncCounters = { fsync: 0, fdatasync: 0, dirFsync: 0 };
  readonly hostRoot: string;
  #observer?: SyncObserver;
  #mod?: { FS: EmscriptenFS; NODEFS: EmscriptenNodefs };

  constructor(dataDir: string, opts: DurableNodeFSOptions = {}) {
    super(dataDir);
    this.durable = opts.durable ?? true;
    this.#observer = opts.observer;
    this.hostRoot = this.rootDir;
    mkdirPrivate(this.rootDir); // NodeFS made it (if missing) with the umask's mode
  }

  override async init(pg: PGlite, opts: any) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const self = this;
    const origInstantiate = emscriptenOpts.instantiateWasm;
    const patched: any = {
      ...emscriptenOpts,
      preRun: [
        // Runs before NodeFS's own preRun (which mounts the data dir): patch NODEFS first.
        (mod: any) => self.#patch(mod),
        ...(emscriptenOpts.preRun ?? []),
      ],
    };
    if (origInstantiate) {
      patched.instantiateWasm = (imports: any, cb: any) => {
        if (self.durable) {
          // Postgres's fdatasync() lands here; the stock import does nothing.
          imports.env.__syscall_fdatasync = (fd: number) => self.#fdatasyncImport(fd);
        }
        return origInstantiate(imports, cb);
      };
    } else if (this.durable) {
      throw new Error('DurableNodeFS: PGlite no longer passes instantiateWasm; cannot hook fdatasync');
    }
    return { emscriptenOpts: patched };
  }

  #patch(mod: any) {
    const FS = mod.FS as EmscriptenFS;
    const NODEFS = mod.NODEFS as EmscriptenNodefs;
    this.#mod = { FS, NODEFS };
    keepPrivate(NODEFS, FS);
    if (this.durable) {
      NODEFS.stream_ops.fsync = (stream: EmscriptenStream) => this.#syncStream(stream, 'fsync');
    }
    this.#observer?.patchNodefs?.(NODEFS, FS);
  }

  #syncStream(stream: EmscriptenStream, kind: SyncKind): number {
    const FS = this.#mod!.FS;
    if (stream.nfd === undefined || stream.nfd === null) return 0; // not a host file (e.g. a device)
    const isDir = FS.isDir(stream.node.mode);
    try {
      // Directories always get a full fsync: that is what makes a created/renamed entry durable.
      if (kind === 'fdatasync' && !isDir) fs.fdatasyncSync(stream.nfd);
      else fs.fsyncSync(stream.nfd);
    } catch {
      throw new FS.ErrnoError(EIO);
    }
    if (isDir) this.counters.dirFsync++;
    else this.counters[kind]++;
    if (this.#observer?.onSync) {
      const path = this.#mod!.NODEFS.realPath(stream.node);
      this.#observer.onSync(path, kind, isDir, stream.nfd);
    }
    return 0;
  }

  #fdatasyncImport(fd: number): number {
    const mod = this.#mod;
    if (!mod) return -EBADF;
    const stream = mod.FS.getStream(fd);
    if (!stream) return -EBADF;
    // A stream not on NODEFS (pipes, /dev/*) has no nfd: same no-op as the stock import.
    try {
      return this.#syncStream(stream, 'fdatasync');
    } catch (e: any) {
      return -(e?.errno ?? EIO);
    }
  }
}

/** Makes NODEFS create files 0600 and directories 0700, and never chmod them looser. */
function keepPrivate(NODEFS: EmscriptenNodefs, FS: EmscriptenFS) {
  const { mknod, setattr } = NODEFS.node_ops;
  NODEFS.node_ops.mknod = (parent: unknown, name: string, mode: number, dev: number) => mknod(parent, name, privateMode(mode, FS.isDir(mode)), dev);
  NODEFS.node_ops.setattr = (node: { mode: number }, attr: { mode?: number }) =>
    setattr(node, attr.mode == null ? attr : { ...attr, mode: privateMode(attr.mode, FS.isDir(node.mode)) });
  const streamSetattr = NODEFS.stream_ops.setattr;
  if (streamSetattr)
    NODEFS.stream_ops.setattr = (stream: EmscriptenStream, attr: { mode?: number }) =>
      streamSetattr(stream, attr.mode == null ? attr : { ...attr, mode: privateMode(attr.mode, FS.isDir(stream.node.mode)) });
}

/**
 * Postgres start parameters that make a DurableNodeFS-backed PGlite durable.
 * They replace PGlite.defaultStartParams (which contain `-F`, fsync off).
 */
export function durableStartParams(defaults: readonly string[], durable: boolean): string[] {
  const params = defaults.filter((p) => p !== '-F');
  if (durable) {
    params.push('-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'wal_sync_method=fdatasync', '-c', 'full_page_writes=on');
  } else {
    // Benchmark mode: exactly PGlite's stock behaviour (`-F`: WAL written at each commit, never synced).
    params.push('-c', 'fsync=off');
  }
  return params;
}

/**
 * Makes everything under `root` (and its entry in its parent) durable. Uses one syncfs(2) of the
 * filesystem (`sync -f`, coreutils) when available — one call instead of ~1,000 fsyncs for a fresh
 * data dir, which matters on an SD card — and falls back to fsyncing every file and directory.
 */
export function syncTree(root: string): void {
  const parent = dirnameOf(root);
  const r = spawnSync('sync', ['-f', root], { stdio: 'ignore', timeout: 120_000 });
  if (r.status === 0) {
    // syncfs covers the filesystem holding root; if root is a mount point, its parent is elsewhere
    if (fs.statSync(root).dev !== fs.statSync(parent).dev) syncPath(parent);
    return;
  }
  syncTreeEach(root);
}

/** fsync every file and directory under `root` (bottom-up), then `root`'s parent directory. */
export function syncTreeEach(root: string): void {
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${ent.name}`;
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) syncPath(p);
    }
    syncPath(dir);
  };
  walk(root);
  syncPath(dirnameOf(root));
}

/** fsync one file or directory by path. */
export function syncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function dirnameOf(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
