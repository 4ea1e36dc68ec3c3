/**
 * Power-cut simulation for a PGlite data dir (see test/storage-powercut.test.ts for the method).
 *
 * `PowerCutJournal` is a SyncObserver: it wraps the Emscripten NODEFS operations that change the
 * data dir (create, mkdir, rename, unlink, rmdir, write, truncate) and records them, together with
 * every sync the database makes and every acknowledgement the test makes, in one ordered journal.
 * Files and directories are identified by a generation id (host inode + reuse counter), so renames,
 * unlinks and inode reuse are followed exactly.
 *
 * `PowerCutReplayer` walks the journal forward and, at any cut point, writes out the data dir as a
 * disk could hold it after losing power at that moment:
 *  - file data: only what the file's last fsync/fdatasync covered ("strict"), or that plus a random
 *    subset of the later writes, cut into 4 KiB blocks and each kept or dropped by a coin flip
 *    ("subset": write-back in any order, torn multi-block writes);
 *  - directory entries (create, rename, unlink, mkdir, rmdir) as a prefix of the metadata operation
 *    sequence (a journaling filesystem commits metadata in order): at least every operation in a
 *    directory before that directory's last fsync ("strict"), or a random longer prefix ("subset").
 *    A file whose entry survives but whose data was never synced comes back empty.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { EmscriptenFS, EmscriptenNodefs, SyncObserver, SyncKind } from '../../appliance/storage/durable-fs.ts';

export type JournalOp =
  | { op: 'create'; dir: number; name: string; id: number; isDir: boolean }
  | { op: 'rename'; fromDir: number; fromName: string; toDir: number; toName: string }
  | { op: 'unlink'; dir: number; name: string }
  | { op: 'write'; id: number; pos: number; data: Buffer }
  | { op: 'truncate'; id: number; size: number }
  | { op: 'sync'; id: number; isDir: boolean }
  | { op: 'ack'; ack: number };

interface BaselineEntry {
  id: number;
  isDir: boolean;
}

export class PowerCutJournal implements SyncObserver {
  readonly ops: JournalOp[] = [];
  /** Baseline (everything durable) taken by `snapshotBaseline`. */
  readonly baselineFiles = new Map<number, Buffer>();
  readonly baselineDirs = new Map<number, Map<string, BaselineEntry>>();
  rootId = -1;
  #inoToId = new Map<number, number>();
  #nextId = 1;
  #recording = false;

  /** Records the data dir as the fully-synced starting state (call before opening the database). */
  snapshotBaseline(root: string) {
    const walk = (abs: string): number => {
      const st = fs.lstatSync(abs);
      const id = this.#assign(st.ino);
      if (st.isDirectory()) {
        const entries = new Map<string, BaselineEntry>();
        for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
          if (!ent.isDirectory() && !ent.isFile()) continue;
          entries.set(ent.name, { id: walk(join(abs, ent.name)), isDir: ent.isDirectory() });
        }
        this.baselineDirs.set(id, entries);
      } else {
        this.baselineFiles.set(id, fs.readFileSync(abs));
      }
      return id;
    };
    this.rootId = walk(root);
    this.#recording = true;
  }

  stop() {
    this.#recording = false;
  }

  ack(id: number) {
    if (this.#recording) this.ops.push({ op: 'ack', ack: id });
  }

  #assign(ino: number): number {
    const id = this.#nextId++;
    this.#inoToId.set(ino, id);
    return id;
  }
  #idOfIno(ino: number): number {
    const id = this.#inoToId.get(ino);
    if (id === undefined) throw new Error(`powercut journal: unknown inode ${ino} (file not seen in baseline or created while journaling)`);
    return id;
  }
  #idOfPath(p: string) {
    return this.#idOfIno(fs.lstatSync(p).ino);
  }
  #idOfFd(fd: number) {
    return this.#idOfIno(fs.fstatSync(fd).ino);
  }

  onSync(_path: string, _kind: SyncKind, isDir: boolean, nfd: number) {
    if (this.#recording) this.ops.push({ op: 'sync', id: this.#idOfFd(nfd), isDir });
  }

  patchNodefs(NODEFS: EmscriptenNodefs, FS: EmscriptenFS) {
    const self = this;
    const n = NODEFS.node_ops;
    const s = NODEFS.stream_ops;
    const rec = (op: JournalOp) => {
      if (self.#recording) self.ops.push(op);
    };
    const parentPath = (node: any) => NODEFS.realPath(node.parent);

    const mknod = n.mknod;
    n.mknod = function (parent: any, name: string, mode: number, dev: any) {
      const node = mknod.call(this, parent, name, mode, dev);
      if (self.#recording) {
        const st = fs.lstatSync(NODEFS.realPath(node));
        rec({ op: 'create', dir: self.#idOfPath(NODEFS.realPath(parent)), name, id: self.#assign(st.ino), isDir: st.isDirectory() });
      }
      return node;
    };
    const rename = n.rename;
    n.rename = function (oldNode: any, newDir: any, newName: string) {
      const fromDir = self.#recording ? self.#idOfPath(parentPath(oldNode)) : 0;
      const fromName = oldNode.name;
      const r = rename.call(this, oldNode, newDir, newName);
      if (self.#recording) rec({ op: 'rename', fromDir, fromName, toDir: self.#idOfPath(NODEFS.realPath(newDir)), toName: newName });
      return r;
    };
    for (const k of ['unlink', 'rmdir'] as const) {
      const orig = n[k];
      n[k] = function (parent: any, name: string) {
        const r = orig.call(this, parent, name);
        if (self.#recording) rec({ op: 'unlink', dir: self.#idOfPath(NODEFS.realPath(parent)), name });
        return r;
      };
    }
    const setattr = n.setattr;
    n.setattr = function (node: any, attr: any) {
      const r = setattr.call(this, node, attr);
      if (self.#recording && attr.size !== undefined) rec({ op: 'truncate', id: self.#idOfPath(NODEFS.realPath(node)), size: attr.size });
      return r;
    };
    const ssetattr = s.setattr;
    s.setattr = function (stream: any, attr: any) {
      const r = ssetattr.call(this, stream, attr);
      if (self.#recording && attr.size !== undefined) rec({ op: 'truncate', id: self.#idOfFd(stream.nfd), size: attr.size });
      return r;
    };
    const write = s.write;
    s.write = function (stream: any, buffer: Uint8Array, offset: number, length: number, position: number) {
      const written: number = write.call(this, stream, buffer, offset, length, position);
      if (self.#recording && written > 0 && FS.isFile(stream.node.mode)) {
        rec({ op: 'write', id: self.#idOfFd(stream.nfd), pos: position, data: Buffer.from(buffer.subarray(offset, offset + written)) });
      }
      return written;
    };
  }
}

type Pending = { kind: 'w'; pos: number; data: Buffer } | { kind: 't'; size: number };

class FileState {
  synced: Buffer;
  size: number;
  pending: Pending[] = [];
  constructor(initial?: Buffer) {
    this.synced = initial ? Buffer.from(initial) : Buffer.alloc(0);
    this.size = this.synced.length;
  }
  static apply(buf: Buffer, size: number, p: Pending): { buf: Buffer; size: number } {
    if (p.kind === 't') {
      if (p.size > buf.length) buf = grow(buf, p.size);
      else buf.fill(0, p.size, Math.max(size, p.size));
      return { buf, size: p.size };
    }
    const end = p.pos + p.data.length;
    if (end > buf.length) buf = grow(buf, end);
    p.data.copy(buf, p.pos);
    return { buf, size: Math.max(size, end) };
  }
  sync() {
    let { synced: buf, size } = this;
    for (const p of this.pending) ({ buf, size } = FileState.apply(buf, size, p));
    this.synced = buf;
    this.size = size;
    this.pending = [];
  }
  /** Content after a cut: synced, plus (subset mode) a random subset of 4 KiB blocks of later writes. */
  content(rand: (() => number) | null): Buffer {
    if (!rand || this.pending.length === 0) return this.synced.subarray(0, this.size);
    let buf: Buffer = Buffer.from(this.synced.subarray(0, this.size));
    let size = this.size;
    for (const p of this.pending) {
      if (p.kind === 't') {
        if (rand() < 0.5) ({ buf, size } = FileState.apply(buf, size, p));
        continue;
      }
      for (let off = 0; off < p.data.length; ) {
        const blockEnd = Math.min(p.data.length, (Math.floor((p.pos + off) / 4096) + 1) * 4096 - p.pos);
        if (rand() < 0.5) ({ buf, size } = FileState.apply(buf, size, { kind: 'w', pos: p.pos + off, data: p.data.subarray(off, blockEnd) }));
        off = blockEnd;
      }
    }
    return buf.subarray(0, size);
  }
}

function grow(buf: Buffer, min: number): Buffer {
  const n = Buffer.alloc(Math.max(min, Math.min(buf.length * 2, min + 64 * 1024 * 1024)));
  buf.copy(n);
  return n;
}

type MetaOp = Extract<JournalOp, { op: 'create' | 'rename' | 'unlink' }>;

export class PowerCutReplayer {
  #files = new Map<number, FileState>();
  #meta: MetaOp[] = [];
  #lastMetaIn = new Map<number, number>(); // dir id -> index in #meta of its last op
  #durableMeta = 0; // metadata ops [0, #durableMeta) are durable for sure
  #pos = 0;
  readonly acked: number[] = [];

  constructor(readonly journal: PowerCutJournal) {
    for (const [id, data] of journal.baselineFiles) this.#files.set(id, new FileState(data));
  }

  get position() {
    return this.#pos;
  }

  /** Applies journal ops up to (not including) index `cut`. */
  advanceTo(cut: number) {
    const ops = this.journal.ops;
    for (; this.#pos < cut && this.#pos < ops.length; this.#pos++) {
      const o = ops[this.#pos];
      switch (o.op) {
        case 'ack':
          this.acked.push(o.ack);
          break;
        case 'write':
          this.#file(o.id).pending.push({ kind: 'w', pos: o.pos, data: o.data });
          break;
        case 'truncate':
          this.#file(o.id).pending.push({ kind: 't', size: o.size });
          break;
        case 'create':
          if (!o.isDir) this.#files.set(o.id, new FileState());
          this.#pushMeta(o, [o.dir]);
          break;
        case 'rename':
          this.#pushMeta(o, [o.fromDir, o.toDir]);
          break;
        case 'unlink':
          this.#pushMeta(o, [o.dir]);
          break;
        case 'sync':
          if (o.isDir) {
            const last = this.#lastMetaIn.get(o.id);
            if (last !== undefined) this.#durableMeta = Math.max(this.#durableMeta, last + 1);
          } else this.#file(o.id).sync();
          break;
      }
    }
  }

  #file(id: number) {
    let f = this.#files.get(id);
    if (!f) this.#files.set(id, (f = new FileState()));
    return f;
  }
  #pushMeta(o: MetaOp, dirs: number[]) {
    this.#meta.push(o);
    for (const d of dirs) this.#lastMetaIn.set(d, this.#meta.length - 1);
  }

  /**
   * Writes the data dir as it would be after a power cut at the current position into `dest`
   * (must not exist). `rand` null = strict; otherwise subset mode with that random source.
   */
  materialize(dest: string, rand: (() => number) | null): { metaOps: number; durableMetaOps: number } {
    // Directory tree: baseline + a durable prefix of the metadata ops.
    const dirs = new Map<number, Map<string, BaselineEntry>>();
    for (const [id, entries] of this.journal.baselineDirs) dirs.set(id, new Map(entries));
    const upto = rand ? this.#durableMeta + Math.floor(rand() * (this.#meta.length - this.#durableMeta + 1)) : this.#durableMeta;
    for (const o of this.#meta.slice(0, upto)) {
      if (o.op === 'create') {
        dirs.get(o.dir)?.set(o.name, { id: o.id, isDir: o.isDir });
        if (o.isDir) dirs.set(o.id, new Map());
      } else if (o.op === 'rename') {
        const e = dirs.get(o.fromDir)?.get(o.fromName);
        if (!e) continue;
        dirs.get(o.fromDir)!.delete(o.fromName);
        dirs.get(o.toDir)?.set(o.toName, e);
      } else {
        dirs.get(o.dir)?.delete(o.name);
      }
    }
    const write = (dirId: number, abs: string) => {
      fs.mkdirSync(abs, { mode: 0o700 });
      for (const [name, e] of dirs.get(dirId) ?? []) {
        const p = join(abs, name);
        if (e.isDir) write(e.id, p);
        else fs.writeFileSync(p, this.#files.get(e.id)?.content(rand) ?? Buffer.alloc(0), { mode: 0o600 });
      }
    };
    write(this.journal.rootId, dest);
    return { metaOps: upto, durableMetaOps: this.#durableMeta };
  }
}
