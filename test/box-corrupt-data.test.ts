import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { get } from 'node:https';

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
