/**
 * Streaming ustar (+ gzip) of a Postgres data directory, with bounded memory. The tar format
 * (headers, parsing, pax, gzip detection) is the `tar` library's; this module decides what goes
 * in (files and their manifest) and what may come out (plain files and directories below the
 * destination, checked against the manifest).
 *
 * Used by backups and by the first-boot template. Entry names are relative to the data dir (as in
 * PGlite's `dumpDataDir()`), so an archive written here can also be given to PGlite's `loadDataDir`.
 * Every archive ends with a `.simpul-archive.json` member listing each file's size and SHA-256,
 * checked on extraction, so a truncated or bit-rotted backup is refused rather than restored.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, dirname } from 'node:path';
import { Header, Parser, type ReadEntry } from 'tar';
import { syncPath, syncTree } from './durable-fs.ts';

const BLOCK = 512;
const CHUNK = 256 * 1024;
export const MANIFEST_NAME = '.simpul-archive.json';

export interface ArchiveManifest {
  format: 'simpul-pgdata-1';
  createdAt: string;
  /** Free-form facts about the source (PGlite version, PG_VERSION, purpose). */
  meta: Record<string, string>;
  files: { name: string; size: number; sha256: string }[];
}

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** A ustar header block (tar's Header: long names go into the ustar prefix; longer ones are refused). */
function header(name: string, size: number, type: 'File' | 'Directory', mtimeSec: number): Buffer {
  const h = new Header({ path: name, mode: type === 'Directory' ? 0o700 : 0o600, uid: 0, gid: 0, size, mtime: new Date(mtimeSec * 1000), type });
  if (h.encode() || !h.block) throw new ArchiveError(`path too long for tar: ${name}`);
  return h.block;
}

/** Lists a directory tree (dirs before their contents, names sorted) relative to root. */
function listTree(root: string): { rel: string; dir: boolean }[] {
  const out: { rel: string; dir: boolean }[] = [];
  const walk = (rel: string) => {
    const abs = rel ? join(root, rel) : root;
    for (const ent of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        out.push({ rel: r, dir: true });
        walk(r);
      } else if (ent.isFile()) out.push({ rel: r, dir: false });
      // sockets, symlinks etc. do not occur in a PGlite data dir; skip them.
    }
  };
  walk('');
  return out;
}

/**
 * Writes `srcDir` as a tar.gz to `outFile` (via a temp file, synced and renamed into place).
 * The caller must make sure nothing writes to `srcDir` while the returned promise is pending.
 */
export async function writeArchive(srcDir: string, outFile: string, meta: Record<string, string> = {}): Promise<ArchiveManifest> {
  const manifest: ArchiveManifest = { format: 'simpul-pgdata-1', createdAt: new Date().toISOString(), meta, files: [] };
  const tmp = `${outFile}.tmp-${process.pid}`;
  const entries = listTree(srcDir);
  const now = Math.floor(Date.now() / 1000);
  async function* generate(): AsyncGenerator<Buffer> {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const e of entries) {
      if (e.dir) {
        yield header(e.rel + '/', 0, 'Directory', now);
        continue;
      }
      const fd = fs.openSync(join(srcDir, e.rel), 'r');
      try {
        const size = fs.fstatSync(fd).size;
        yield header(e.rel, size, 'File', now);
        const hash = createHash('sha256');
        let pos = 0;
        while (pos < size) {
          const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
          if (n <= 0) throw new ArchiveError(`file shrank while archiving: ${e.rel}`);
          const chunk = Buffer.from(buf.subarray(0, n));
          hash.update(chunk);
          pos += n;
          yield chunk;
        }
        const pad = (BLOCK - (size % BLOCK)) % BLOCK;
        if (pad) yield Buffer.alloc(pad, 0);
        manifest.files.push({ name: e.rel, size, sha256: hash.digest('hex') });
      } finally {
        fs.closeSync(fd);
      }
    }
    const m = Buffer.from(JSON.stringify(manifest));
    yield header(MANIFEST_NAME, m.length, 'File', now);
    yield m;
    const pad = (BLOCK - (m.length % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad, 0);
    yield Buffer.alloc(BLOCK * 2, 0);
  }
  try {
    await pipeline(Readable.from(generate()), createGzip({ level: 6 }), fs.createWriteStream(tmp, { mode: 0o600 }));
    syncPath(tmp);
    fs.renameSync(tmp, outFile);
    syncPath(dirname(outFile));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return manifest;
}

/** Entry types a data directory holds; anything else (links, devices, FIFOs) is refused. */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Where an archive member goes, or an error: a restore writes only below `destDir`, so an absolute
 * name or a `..` step (a hostile or broken archive) is refused, never stripped or resolved.
 */
function memberPath(name: string): string {
  const rel = name.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || rel.includes('\\') || rel.split('/').some((p) => p === '..')) throw new ArchiveError(`unsafe path in archive: ${name}`);
  return rel;
}

/**
 * Extracts an archive written by `writeArchive` (or a PGlite `dumpDataDir` tarball, gzip or not)
 * into `destDir`, which must not exist or be empty. Only plain files and directories are
 * extracted, each below `destDir`; a member that is a link or device, or whose name leaves
 * `destDir`, fails the whole restore. Every file is fsynced, then every directory.
 * Returns the manifest (null for a PGlite dump, which has none).
 */
export async function extractArchive(file: string, destDir: string): Promise<ArchiveManifest | null> {
  if (fs.existsSync(destDir) && fs.readdirSync(destDir).length > 0) throw new ArchiveError(`refusing to extract into non-empty ${destDir}`);
  fs.mkdirSync(destDir, { recursive: true, mode: 0o700 });
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestBuf: Buffer | null = null;
  let ended = false;
  let failure: Error | null = null;
  let open: { fd: number } | null = null;

  // tar's Parser reads the format (gzip detected by itself, pax headers applied); what each member
  // may be and where it may go is decided here.
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      try {
        if (failure) throw failure;
        const name = memberPath(entry.path);
        if (entry.type === 'Directory') {
          if (name) fs.mkdirSync(join(destDir, name), { recursive: true, mode: 0o700 });
          entry.resume();
          return;
        }
        if (!FILE_TYPES.has(entry.type)) throw new ArchiveError(`unsupported tar entry type ${entry.type} for ${entry.path}`);
        if (!name) throw new ArchiveError(`unsafe path in archive: ${entry.path}`);
        if (name === MANIFEST_NAME) {
          const parts: Buffer[] = [];
          entry.on('data', (d: Buffer) => parts.push(Buffer.from(d)));
          entry.on('end', () => {
            manifestBuf = Buffer.concat(parts);
          });
          return;
        }
        const abs = join(destDir, name);
        fs.mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
        const handle = { fd: fs.openSync(abs, 'wx', 0o600) };
        open = handle;
        const hash = createHash('sha256');
        let size = 0;
        entry.on('data', (d: Buffer) => {
          if (failure) return;
          try {
            fs.writeSync(handle.fd, d);
            hash.update(d);
            size += d.length;
          } catch (e) {
            failure = e as Error;
          }
        });
        entry.on('end', () => {
          fs.closeSync(handle.fd);
          open = null;
          seen.set(name, { size, sha256: hash.digest('hex') });
        });
      } catch (e) {
        failure ??= e as Error;
        entry.resume();
      }
    },
  });
  parser.on('eof', () => {
    ended = true;
  });
  parser.on('error', (e: Error) => {
    failure ??= e instanceof ArchiveError ? e : new ArchiveError(`corrupt archive: ${e.message}`);
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parser.write(chunk);
      cb(failure);
    },
    final(cb) {
      // A stream cut short (gzip or tar) ends with an error and no 'finish': either ends the restore.
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          cb(failure);
        }
      };
      for (const event of ['finish', 'end', 'abort', 'error', 'close']) parser.once(event, finish);
      parser.end();
      if (failure) finish();
    },
  });
  try {
    await pipeline(fs.createReadStream(file), sink);
  } finally {
    if (open) fs.closeSync((open as { fd: number }).fd);
  }
  if (failure) throw failure;
  if (!ended) throw new ArchiveError('archive is truncated');

  let manifest: ArchiveManifest | null = null;
  if (manifestBuf) {
    manifest = JSON.parse((manifestBuf as Buffer).toString('utf8')) as ArchiveManifest;
    if (manifest.files.length !== seen.size) throw new ArchiveError(`archive holds ${seen.size} files, its manifest lists ${manifest.files.length}`);
    for (const f of manifest.files) {
      const got = seen.get(f.name);
      if (!got || got.size !== f.size || got.sha256 !== f.sha256) throw new ArchiveError(`archive member ${f.name} does not match its manifest`);
    }
  }
  syncTree(destDir); // every file and directory written, and destDir's entry in its parent
  return manifest;
}
