import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Header, type HeaderData } from 'tar';
import { ArchiveError, MANIFEST_NAME, extractArchive, writeArchive } from './tarball.ts';

/**
 * The backup archive: what goes in comes out the same, and a restore writes only plain files and
 * directories below its destination. Hostile archives are made by hand here (tar's Header), as an
 * attacker or a broken tool would make them.
 */

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'simpul-tarball-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A tar of the given members, as bytes (no manifest unless one is given). */
function tarOf(members: (HeaderData & { body?: string })[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const body = Buffer.from(m.body ?? '');
    const h = new Header({ mode: 0o600, uid: 0, gid: 0, mtime: new Date(0), type: 'File', size: body.length, ...m });
    h.encode();
    parts.push(h.block!, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe('backup archive', () => {
  it('gives back every file as it was, long names included, files 0600', async () => {
    const src = tmp();
    const deep = join('base', 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(join(src, deep), { recursive: true });
    writeFileSync(join(src, 'PG_VERSION'), '17\n');
    writeFileSync(join(src, deep, '16384'), Buffer.alloc(300_000, 7));
    writeFileSync(join(src, 'empty'), '');
    const file = join(tmp(), 'b.tar.gz');
    const manifest = await writeArchive(src, file, { purpose: 'test' });
    expect(manifest.files.map((f) => f.name).sort()).toEqual([`${deep}/16384`, 'PG_VERSION', 'empty'].sort());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const out = join(tmp(), 'restored');
    expect(await extractArchive(file, out)).toEqual(manifest);
    expect(readFileSync(join(out, deep, '16384')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(readFileSync(join(out, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(statSync(join(out, 'PG_VERSION')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(out, MANIFEST_NAME))).toBe(false);
  });

  it('restores a plain tar without a manifest (a PGlite dump)', async () => {
    const file = join(tmp(), 'dump.tar');
    writeFileSync(
      file,
      tarOf([
        { path: 'base/', type: 'Directory', mode: 0o700 },
        { path: 'base/1', body: 'x' },
      ]),
    );
    const out = join(tmp(), 'restored');
    expect(await extractArchive(file, out)).toBeNull();
    expect(readFileSync(join(out, 'base/1'), 'utf8')).toBe('x');
  });

  it.each([
    ['a parent step', { path: '../escaped', body: 'x' }, /unsafe path/],
    ['a parent step inside', { path: 'base/../../escaped', body: 'x' }, /unsafe path/],
    ['an absolute path', { path: '/tmp/simpul-escaped', body: 'x' }, /unsafe path/],
    ['a symbolic link', { path: 'base/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }, /unsupported tar entry type SymbolicLink/],
    ['a hard link', { path: 'base/link', type: 'Link', linkpath: '../escaped' }, /unsupported tar entry type Link/],
    ['a character device', { path: 'base/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }, /unsupported tar entry type CharacterDevice/],
    ['a FIFO', { path: 'base/fifo', type: 'FIFO' }, /unsupported tar entry type FIFO/],
  ] as const)('refuses a hostile member: %s, and writes nothing outside the destination', async (_, member, why) => {
    const root = tmp();
    const file = join(root, 'hostile.tar.gz');
    writeFileSync(file, gzipSync(tarOf([{ path: 'base/', type: 'Directory', mode: 0o700 }, member as HeaderData])));
    const out = join(root, 'restored');
    const err = await extractArchive(file, out).catch((e) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect(err.message).toMatch(why);
    expect(readdirSync(root).sort()).toEqual(['hostile.tar.gz', 'restored']);
    expect(existsSync('/tmp/simpul-escaped')).toBe(false);
  });

  it('refuses a truncated archive and one whose member does not match its manifest', async () => {
    const src = tmp();
    writeFileSync(join(src, 'a'), Buffer.alloc(200_000, 1));
    writeFileSync(join(src, 'b'), 'bee');
    const file = join(tmp(), 'b.tar.gz');
    await writeArchive(src, file);
    const bytes = readFileSync(file);
    const cut = join(tmp(), 'cut.tar.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(extractArchive(cut, join(tmp(), 'r1'))).rejects.toThrow(ArchiveError);

    // The same members with one file changed, behind the manifest's back.
    const listed = await writeArchive(src, join(tmp(), 'again.tar.gz'));
    const forged = join(tmp(), 'forged.tar');
    writeFileSync(
      forged,
      tarOf([
        { path: 'a', body: 'not the same' },
        { path: 'b', body: 'bee' },
        { path: MANIFEST_NAME, body: JSON.stringify(listed) },
      ]),
    );
    await expect(extractArchive(forged, join(tmp(), 'r3'))).rejects.toThrow(/does not match its manifest/);
  });

  it('refuses to restore into a directory that is not empty', async () => {
    const file = join(tmp(), 'dump.tar');
    writeFileSync(file, tarOf([{ path: 'x', body: 'x' }]));
    const out = tmp();
    writeFileSync(join(out, 'here'), '');
    await expect(extractArchive(file, out)).rejects.toThrow(/non-empty/);
  });
});
