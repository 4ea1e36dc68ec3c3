/**
 * firmware-scripts/build-release.sh: the box as plain JavaScript (no TypeScript loader at run
 * time, only what the box imports), its files' checksums in a manifest signed with Ed25519
 * (minisign), and a built box that starts from the release dir and serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestReleases, freePort, type TestReleases } from './support/firmware.ts';
import { until } from './support/wait.ts';
import { get } from 'node:https';

let r: TestReleases;
beforeAll(async () => {
  r = await makeTestReleases('release');
}, 180_000);
afterAll(() => {
  if (r) fs.rmSync(r.work, { recursive: true, force: true });
});

function unpackBundle(bundle: string) {
  const dir = fs.mkdtempSync(join(r.work, 'unpacked-'));
  execFileSync('tar', ['-xf', bundle, '-C', dir]);
  return dir;
}

describe('build-release', () => {
  it('bundles only what the box imports: no TypeScript loader, no esbuild, no hub code, pg driver or broker', () => {
    const inputs = Object.keys(r.base.metafile.inputs);
    const packages = new Set(
      inputs
        .filter((i) => i.startsWith('node_modules/'))
        .map((i) =>
          i
            .split('/')
            .slice(1, i.split('/')[1]!.startsWith('@') ? 3 : 2)
            .join('/'),
        ),
    );
    for (const absent of ['pg', 'pg-pool', 'pg-protocol', 'aedes', 'tsx', 'esbuild', 'vitest', 'typescript']) expect(packages, absent).not.toContain(absent);
    for (const present of ['@electric-sql/pglite', 'hono', 'mqtt', 'werift', 'zod', 'pino']) expect(packages, present).toContain(present);
    expect(inputs.filter((i) => i.startsWith('central/') && !i.startsWith('central/contract/'))).toEqual([]);
    const box = join(r.base.dir, 'box');
    for (const f of [
      'main.mjs',
      'relay-process.mjs',
      'setup.mjs',
      'backup-cli.mjs',
      'pglite.wasm',
      'pglite.data',
      'initdb.wasm',
      'pgdata-template.tar.gz',
      'icd10-data.json',
      'common-passwords.txt',
      // The pages' browser bundles and styles, prebuilt (appliance/http/pages/bundles.ts reads ./built).
      'built/manifest.json',
      'built/ambil.js',
      'built/staff.css',
      // The waiting-room TV's spoken-call clips, made by espeak-ng at build time (the box never runs it).
      'built/suara/nomor-antrean.wav',
      'built/suara/dua.wav',
      'built/suara/huruf-a.wav',
    ]) {
      expect(fs.existsSync(join(box, f)), f).toBe(true);
    }
    expect(fs.existsSync(join(r.base.dir, 'amcheck.tar.gz'))).toBe(true);
    expect(fs.readdirSync(join(r.base.dir, 'firmware')).sort()).toEqual(expect.arrayContaining(['install.sh', 'update.sh', 'backup.sh', 'restore.sh', 'lib.sh']));
    // Files a box runs as `simpul` from a root-owned release: readable by all.
    expect(fs.statSync(join(box, 'pgdata-template.tar.gz')).mode & 0o777).toBe(0o644);
  });

  it('signs a manifest of every file: the signature verifies with the public key, checksums match', () => {
    const dir = unpackBundle(r.base.bundle);
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'manifest.json.minisig', 'payload.tar.gz']);
    execFileSync('minisign', ['-V', '-q', '-p', r.pub, '-m', join(dir, 'manifest.json'), '-x', join(dir, 'manifest.json.minisig')]);
    const manifest = JSON.parse(fs.readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'simpul-box', version: '0.1.0', pglite: expect.any(String) });
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(sha(join(dir, 'payload.tar.gz'))).toBe(manifest.payload.sha256);
    const files = Object.entries(manifest.files as Record<string, string>);
    expect(files.length).toBeGreaterThan(20);
    for (const [f, h] of files) expect(sha(join(r.base.dir, f)), f).toBe(h);
    // Another key does not verify it.
    const other = join(r.work, 'other');
    execFileSync('minisign', ['-G', '-W', '-p', `${other}.pub`, '-s', `${other}.key`], { stdio: 'ignore' });
    expect(() =>
      execFileSync('minisign', ['-V', '-q', '-p', `${other}.pub`, '-m', join(dir, 'manifest.json'), '-x', join(dir, 'manifest.json.minisig')], { stdio: 'ignore' }),
    ).toThrow();
  });

  it('refuses to build without a key unless asked for an unsigned bundle', async () => {
    const { buildRelease } = await import('../firmware-scripts/build-release.ts');
    await expect(buildRelease({ version: '0.9.0', out: join(r.work, 'nokey') })).rejects.toThrow(/signing key/);
    await expect(buildRelease({ version: 'latest', out: join(r.work, 'nokey'), unsigned: true })).rejects.toThrow(/version/);
  });

  it('the built box starts from the release dir with plain node on an empty data dir and serves /healthz', async () => {
    const port = await freePort();
    const data = fs.mkdtempSync(join(tmpdir(), 'simpul-fw-built-'));
    let box: ChildProcess | null = null;
    try {
      box = spawn(process.execPath, ['--max-semi-space-size=2', '--max-old-space-size=160', join(r.base.dir, 'box/main.mjs')], {
        env: { PATH: process.env.PATH, SIMPUL_FIRST_RUN_PAGE: 'false', SIMPUL_DATA_DIR: data, SIMPUL_HTTPS_PORT: String(port), SIMPUL_HTTP_PORT: '0', SIMPUL_HOST: '127.0.0.1' },
        cwd: data,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let log = '';
      box.stdout!.on('data', (d) => (log += d));
      box.stderr!.on('data', (d) => (log += d));
      box.once('exit', (code) => {
        log += `\n(exited ${code})`;
      });
      const health = await until(
        'the built box answers /healthz',
        () =>
          new Promise<Record<string, any> | null>((resolve) => {
            get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => {
              let t = '';
              res.on('data', (d) => (t += d));
              res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(t) : null));
            }).on('error', () => resolve(null));
          }).then((h) => {
            if (!h && /\(exited/.test(log)) throw new Error(`the built box exited:\n${log}`);
            return h;
          }),
        150_000,
        250,
      );
      expect(health).toMatchObject({ ok: true, checks: { database: 'ok', migration: expect.any(Number), sync: 'off', update: null } });
      // First boot from the shipped template (no initdb), and the relay process from the release.
      expect(log).toMatch(/from template .*pgdata-template\.tar\.gz/);
      await until('the relay process runs', () => /relay process ready/.test(log), 30_000, 100);
      const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(box.pid)], { encoding: 'utf8' });
      expect(children).toContain(join(r.base.dir, 'box/relay-process.mjs'));
      expect(children).not.toMatch(/tsx/);
      // A clip is served from the release as built.
      const clip = await new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/suara/dua.wav', rejectUnauthorized: false }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(parts) }));
        }).on('error', reject);
      });
      expect([clip.status, clip.type]).toEqual([200, 'audio/wav']);
      expect(clip.body.equals(fs.readFileSync(join(r.base.dir, 'box/built/suara/dua.wav')))).toBe(true);
    } finally {
      if (box?.pid) {
        try {
          process.kill(-box.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      fs.rmSync(data, { recursive: true, force: true });
    }
  }, 240_000);
});
