/**
 * The very end of the disk (firmware-scripts/README.md, "Disk guard"): the box's data dir on a
 * small file system of its own (tmpfs, mounted for the test; the tests run as root) filled to the
 * last byte. Writes then fail with an error answer, never a false "saved"; the box stays up and
 * says so on /healthz; every number it answered before stays; once room is made (what the disk
 * guard's reserve gives back), writes work again, and after a restart everything acknowledged is
 * there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/firmware.ts';
import { ensureTestTemplate, REPO_ROOT } from './storage-support/template-cache.ts';
import { openDatabase } from '../appliance/storage/database.ts';
import { until } from './support/wait.ts';

let mount: string;
let port: number;
let box: ChildProcess | null = null;
let log = '';

function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        timeout: 20_000,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

async function startBox() {
  log = '';
  box = spawn(process.execPath, ['--import', 'tsx', 'appliance/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SIMPUL_CONFIG: join(mount, '..', 'config.json'),
      SIMPUL_DATA_DIR: join(mount, 'data'),
      SIMPUL_HTTPS_PORT: String(port),
      SIMPUL_HTTP_PORT: '0',
      SIMPUL_HOST: '127.0.0.1',
      SIMPUL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  box.stdout!.on('data', (d) => (log += d));
  box.stderr!.on('data', (d) => (log += d));
  const b = box;
  await until(
    'the box answers',
    async () => {
      if (b.exitCode !== null) throw new Error(`the box exited (${b.exitCode}):\n${log.slice(-3000)}`);
      return (await call('GET', '/healthz').catch(() => null))?.status === 200;
    },
    150_000,
    250,
  );
}

async function stopBox() {
  if (!box?.pid) return;
  const b = box;
  const exited = new Promise((r) => b.once('exit', r));
  try {
    process.kill(-b.pid!, 'SIGTERM');
  } catch {
    /* gone */
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  try {
    process.kill(-b.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
  box = null;
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'simpul-fw-diskfull-'));
  mount = join(dir, 'disk');
  fs.mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=320m,mode=0700', 'tmpfs', mount]);
  fs.writeFileSync(join(dir, 'config.json'), JSON.stringify({ phoneTicketsPerAddress: 100_000, phoneTicketsPerDay: 1_000_000 }));
  port = await freePort();
  // The database made from the tests' first-boot template (the box from source has none of its own).
  const db = await openDatabase({ dataDir: join(mount, 'data'), template: await ensureTestTemplate(), controlSocket: false, log: () => {} });
  await db.close();
  await startBox();
}, 200_000);

afterAll(async () => {
  await stopBox();
  if (mount) {
    execFileSync('umount', ['-l', mount]);
    fs.rmSync(join(mount, '..'), { recursive: true, force: true });
  }
});

describe('the disk at its very end', () => {
  it('a full disk: writes refused with an error, the box up and saying so, nothing acknowledged lost; room again: writes again', async () => {
    const acknowledged: string[] = [];
    const take = () => call('POST', '/api/v1/queue/take', { poli: 'umum' });
    for (let i = 0; i < 5; i++) {
      const r = await take();
      expect(r.status).toBe(200);
      acknowledged.push(JSON.parse(r.text).token);
    }
    // The last bytes taken by a filler (what the disk guard cannot prune: the clinic's own data).
    const filler = join(mount, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'status=none']);
    } catch {
      /* ENOSPC: full, as meant */
    }
    let refused: { status: number; text: string } | null = null;
    for (let i = 0; i < 3000 && !refused; i++) {
      const r = await take().catch((e) => ({ status: 0, text: String(e) }));
      if (r.status === 200) acknowledged.push(JSON.parse(r.text).token);
      else refused = r;
    }
    expect(refused, 'a write is refused once the disk is full').not.toBeNull();
    expect(refused!.status).toBeGreaterThanOrEqual(500);
    // The box is still up and says the disk is the problem.
    const health = await call('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text).checks.diskFreeMb).toBeLessThan(200);
    for (const t of acknowledged) expect((await call('GET', `/api/v1/tickets/${t}`)).status, 'acknowledged number readable').toBe(200);

    // Room again (the reserve given back, or a technician): writes work again without a restart…
    fs.rmSync(filler);
    await until('writes work again', async () => (await take()).status === 200, 60_000, 500);
    // …and after a restart every acknowledged number is there.
    await stopBox();
    await startBox();
    for (const t of acknowledged) expect((await call('GET', `/api/v1/tickets/${t}`)).status).toBe(200);
    expect(acknowledged.length).toBeGreaterThan(5);
  }, 400_000);
});
