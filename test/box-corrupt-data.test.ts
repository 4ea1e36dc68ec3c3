import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { get } from 'node:https';
import { CorruptDataDirError, openDatabase } from '../appliance/storage/database.ts';
import { ensureTestTemplate } from './storage-support/template-cache.ts';
import { createStaff } from '../appliance/clinic/staff.ts';

/** GET over the box's self-signed HTTPS. */
function fetchInsecure(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject);
  });
}

/** Starts appliance/main.ts on `dataDir`; resolves with its URL once it listens, rejects if it exits. */
async function startMain(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'appliance/main.ts'], {
    env: { ...process.env, SIMPUL_DATA_DIR: dataDir, SIMPUL_HTTPS_PORT: '0', SIMPUL_HTTP_PORT: '0', SIMPUL_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stderr: '' };
  child.stderr!.on('data', (d) => (out.stderr += d));
  const started = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('appliance:') && resolve(l.match(/https:\/\/\S+/)![0]));
    child.once('exit', (code) => reject(new Error(`box exited ${code}: ${out.stderr}`)));
  });
  return { child, out, started };
}

/** Makes page `block` of `table`'s data file unreadable (its header scribbled), with the database closed. */
async function corruptTablePage(dataDir: string, table: string, prepare: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<unknown>) {
  const db = await openDatabase({ dataDir, template: await ensureTestTemplate(), log: () => {} });
  await prepare(db);
  const { rows } = await db.query<{ path: string }>(`SELECT pg_relation_filepath($1) AS path`, [table]);
  await db.close(); // clean shutdown: the page on disk is what the next start reads
  const fd = openSync(join(dataDir, 'pgdata', rows[0].path), 'r+');
  writeSync(fd, Buffer.alloc(24, 0xab), 0, 24, 0);
  closeSync(fd);
}

/**
 * A box whose data dir is corrupt says so — a clear log line, /healthz 503 naming it, a page for
 * the desk — and never re-initialises over the clinic's records.
 */
describe('a corrupt data dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'simpul-corrupt-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is named on /healthz and in the log, and left untouched', async () => {
    const pgdata = join(dataDir, 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    writeFileSync(join(pgdata, 'PG_VERSION'), 'not a version\n');
    writeFileSync(join(pgdata, 'patients.csv'), 'records the clinic needs\n');
    child = spawn(process.execPath, ['--import', 'tsx', 'appliance/main.ts'], {
      env: { ...process.env, SIMPUL_DATA_DIR: dataDir, SIMPUL_HTTPS_PORT: '0', SIMPUL_HTTP_PORT: '0', SIMPUL_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (l) => l.startsWith('appliance:') && resolve(l));
      child!.once('exit', (code) => reject(new Error(`box exited ${code}: ${stderr}`)));
    });
    const url = line.match(/https:\/\/\S+/)![0];
    const health = await fetchInsecure(`${url}/healthz`);
    expect(health.status).toBe(503);
    const body = JSON.parse(health.text) as { ok: boolean; checks: { database: string } };
    expect(body.ok).toBe(false);
    expect(body.checks.database).toMatch(/^corrupt: /);
    const page = await fetchInsecure(`${url}/ambil`, { 'accept-language': 'id' });
    expect(page.status).toBe(503);
    expect(page.text).toContain('Data kotak tidak bisa dibuka');
    expect(stderr).toMatch(/CorruptDataDir|corrupt or unreadable/);
    expect(readdirSync(pgdata).sort()).toEqual(['PG_VERSION', 'patients.csv']);
    expect(readFileSync(join(pgdata, 'PG_VERSION'), 'utf8')).toBe('not a version\n');
  });
});

/**
 * A damaged table page found while opening, migrating or seeding takes the same path as a damaged
 * pg_control: the box listens, /healthz answers 503 naming the corruption, pages say what to do.
 */
describe('a corrupt table page', () => {
  const work = mkdtempSync(join(tmpdir(), 'simpul-corrupt-page-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('found at start (the staff table) serves the storage-failure pages', async () => {
    const dataDir = join(work, 'staff');
    await corruptTablePage(dataDir, 'staff', (db) => createStaff(db, { username: 'kepala', fullName: 'Kepala Puskesmas', role: 'admin', password: 'a-long-password-1' }));
    const box = await startMain(dataDir);
    child = box.child;
    const url = await box.started;
    const health = await fetchInsecure(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect((JSON.parse(health.text) as { checks: { database: string } }).checks.database).toBe('corrupt: data-corrupted');
    const page = await fetchInsecure(`${url}/staff`, { 'accept-language': 'id' });
    expect(page.status).toBe(503);
    expect(page.text).toContain('pulihkan dari cadangan');
    expect(box.out.stderr).toMatch(/invalid page in block 0/);
  }, 60_000);

  it('found while migrating is a CorruptDataDirError', async () => {
    const dataDir = join(work, 'migrations');
    await corruptTablePage(dataDir, 'schema_migrations', async () => {});
    const err = await openDatabase({ dataDir, log: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptDataDirError);
    expect(err.reason).toBe('data-corrupted');
    expect(readdirSync(dataDir)).not.toContain('pgdata.lock'); // released
  }, 60_000);
});
