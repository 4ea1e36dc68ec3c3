import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'node:https';

/**
 * What `npm start` runs (provisioning/demo-stack.ts), started as a person starts it: through npm
 * (npm → sh → tsx → node). The hub and a demo box enrolled to it, one line per service, the box
 * serving and its sync connected to the hub, the hub's pages behind the demo admin token it
 * prints; then SIGTERM to npm's own pid stops every process under it and frees their ports.
 */
function httpsText(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', rejectUnauthorized: false, headers: init.body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Every process whose parent chain leads to `root` (from /proc). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent) if (pp === p) out.push(pid), walk(pid);
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8')
      .slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2)
      .startsWith('Z');
  } catch {
    return false;
  }
};

const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'simpul-start-'));
  let child: ChildProcess | undefined;
  const services: Record<string, string> = {};
  let adminToken = '';
  /** Every process seen under npm: after npm dies its orphans are no longer its descendants. */
  const seen = new Set<number>();
  afterAll(async () => {
    // Whatever a failed run left: the process group npm leads, and every process once seen under it.
    if (child?.pid) {
      for (const pid of descendants(child.pid)) seen.add(pid);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the hub and a demo box that syncs to it, and prints one line per service and the hub’s admin token', async () => {
    child = spawn('npm', ['start', '--silent'], {
      env: {
        ...process.env,
        SIMPUL_DATA_DIR: dataDir,
        SIMPUL_HTTPS_PORT: '0',
        SIMPUL_HTTP_PORT: '0',
        SIMPUL_HOST: '127.0.0.1',
        SIMPUL_HUB_HTTP_PORT: '0',
        SIMPUL_HUB_BROKER_PORT: '0',
        SIMPUL_LOG_LEVEL: 'warn',
        SIMPUL_HUB_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a failed run can be cleaned up whole.
      detached: true,
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (l) => {
        const m = l.match(/^(central|appliance): (\S+)/);
        if (m) services[m[1]] = m[2];
        const t = l.match(/hub admin token \(demo\): (\S+)/);
        if (t) adminToken = t[1];
        if (services.central && services.appliance && adminToken) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${stderr.slice(-2000)}`)));
    });
    for (const p of descendants(child.pid!)) seen.add(p);
    expect(services.appliance).toMatch(/^https:\/\//);
    expect(services.central).toMatch(/^http:\/\//);

    const health = await httpsText(`${services.appliance}/healthz`);
    expect(health.status).toBe(200);
    const taken = await httpsText(`${services.appliance}/api/v1/queue/take`, { method: 'POST', body: JSON.stringify({ poli: 'umum' }) });
    expect(taken.status).toBe(200);
    expect(JSON.parse(taken.text).ticket.label).toMatch(/^A-\d{3}$/);

    // The box's link to the hub comes up by itself.
    await expect.poll(async () => (await httpsText(`${services.appliance}/metrics`)).text, { timeout: 30_000 }).toMatch(/^simpul_sync_connected 1$/m);
    expect((await fetch(services.central)).status).toBe(401);
    const hubPage = await fetch(services.central, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(hubPage.status).toBe(200);
    expect(await hubPage.text()).toMatch(/demo-0112p001-/);
  }, 180_000);

  it('SIGTERM to npm’s pid stops the box and the hub: no process left under it, their ports free', async () => {
    expect(child?.pid).toBeTruthy();
    const pid = child!.pid!;
    const under = descendants(pid);
    for (const p of under) seen.add(p);
    expect(under.length).toBeGreaterThan(0);
    const ports = [services.central, services.appliance].map((u) => Number(new URL(u).port));
    expect(await refuses(ports[0])).toBe(false);
    const exited = new Promise<number | null>((res) => child!.once('exit', (code) => res(code)));
    process.kill(pid, 'SIGTERM');
    const code = await exited;
    expect(code === 0 || code === null || code === 143, `npm exit code ${code}`).toBe(true);
    // npm is gone; what it started must be gone too (bounded: a hung shutdown fails here).
    await expect.poll(() => under.filter(alive), { timeout: 15_000, interval: 100 }).toEqual([]);
    for (const port of ports) expect(await refuses(port), `port ${port}`).toBe(true);
  });
});
