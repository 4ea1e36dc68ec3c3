/**
 * Streaming ustar (+ gzip) of a Postgres data directory, with bounded memory.
 *
 * Used by backups and by the first-boot template. Entry names are relative to the data dir (as in
 * PGlite's `dumpDataDir()`), so an archive written here can also be given to PGlite's `loadDataDir`.
 * Every archive ends with a `.simpul-archive.json` member listing each file's size and SHA-256,
 * checked on extraction, so a truncated or bit-rotted backup is refused rather than restored.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { createGzip, createGunzip } from 'node:zlib';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, dirname } from 'node:path';
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

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: '0' | '5', mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new ArchiveError(`path too long for tar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o700 : 0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
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
        yield header(e.rel + '/', 0, '5', now);
        continue;
      }
      const fd = fs.openSync(join(srcDir, e.rel), 'r');
      try {
        const size = fs.fstatSync(fd).size;
        yield header(e.rel, size, '0', now);
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
    yield header(MANIFEST_NAME, m.length, '0', now);
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

function parseOctal(b: Buffer): number {
  const s = b.toString('ascii').replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}

/**
 * Extracts an archive written by `writeArchive` (or a PGlite `dumpDataDir` tarball, gzip or not)
 * into `destDir`, which must not exist or be empty. Every file is fsynced, then every directory.
 * Returns the manifest (null for a PGlite dump, which has none).
 */
export async function extractArchive(file: string, destDir: string): Promise<ArchiveManifest | null> {
  if (fs.existsSync(destDir) && fs.readdirSync(destDir).length > 0) throw new ArchiveError(`refusing to extract into non-empty ${destDir}`);
  fs.mkdirSync(destDir, { recursive: true, mode: 0o700 });
  const fd0 = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  fs.readSync(fd0, magic, 0, 2, 0);
  fs.closeSync(fd0);
  const gz = magic[0] === 0x1f && magic[1] === 0x8b;

  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestBuf: Buffer | null = null;
  let ended = false;

  // A small state machine over the tar stream.
  let pending: Buffer = Buffer.alloc(0);
  let cur: { name: string; remaining: number; pad: number; fd: number | null; hash: ReturnType<typeof createHash> | null; size: number; manifest: Buffer[] | null } | null = null;

  const handle = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    while (!ended) {
      if (cur) {
        if (cur.remaining > 0) {
          const n = Math.min(cur.remaining, pending.length - off);
          if (n === 0) break;
          const part = pending.subarray(off, off + n);
          if (cur.fd !== null) fs.writeSync(cur.fd, part);
          cur.hash?.update(part);
          cur.manifest?.push(Buffer.from(part));
          cur.remaining -= n;
          off += n;
          if (cur.remaining > 0) break;
        }
        if (pending.length - off < cur.pad) break;
        off += cur.pad;
        if (cur.fd !== null) {
          fs.closeSync(cur.fd);
        }
        if (cur.manifest) manifestBuf = Buffer.concat(cur.manifest);
        else seen.set(cur.name, { size: cur.size, sha256: cur.hash!.digest('hex') });
        cur = null;
        continue;
      }
      if (pending.length - off < BLOCK) break;
      const h = pending.subarray(off, off + BLOCK);
      off += BLOCK;
      if (h.every((x) => x === 0)) {
        ended = true;
        break;
      }
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
      if (sum !== parseOctal(h.subarray(148, 156))) throw new ArchiveError('corrupt tar header (checksum mismatch)');
      const base = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
      const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
      let name = (prefix ? `${prefix}/${base}` : base).replace(/^\/+/, '').replace(/\/+$/, '');
      const type = String.fromCharCode(h[156]);
      const size = parseOctal(h.subarray(124, 136));
      if (name.split('/').some((p) => p === '..')) throw new ArchiveError(`unsafe path in archive: ${name}`);
      const abs = join(destDir, name);
      if (type === '5') {
        if (name) {
          fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
        }
        cur = { name, remaining: size, pad: (BLOCK - (size % BLOCK)) % BLOCK, fd: null, hash: null, size, manifest: null };
        if (size === 0) cur = null;
        continue;
      }
      if (type !== '0' && type !== '\0') throw new ArchiveError(`unsupported tar entry type ${JSON.stringify(type)} for ${name}`);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (name === MANIFEST_NAME) {
        cur = { name, remaining: size, pad, fd: null, hash: null, size, manifest: [] };
      } else {
        fs.mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
        const fd = fs.openSync(abs, 'wx', 0o600);
        cur = { name, remaining: size, pad, fd, hash: createHash('sha256'), size, manifest: null };
      }
      if (size === 0 && pad === 0) {
        // zero-length file: finish immediately on the next loop turn
      }
    }
    pending = pending.subarray(off);
  };

  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        handle(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  const src = fs.createReadStream(file);
  await pipeline(src, gz ? createGunzip() : new PassThrough(), sink);
  if (cur || !ended) throw new ArchiveError('archive is truncated');

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
