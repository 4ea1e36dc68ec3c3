/**
 * For the firmware tests: signed test releases built by firmware-scripts/build-release.ts, and a
 * box installed under a temporary SIMPUL_ROOT whose `systemctl` is the stand-in in
 * test/support/firmware/systemctl (it runs the box from the installed unit as a real process).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRelease, packRelease, type BuiltRelease } from '../../firmware-scripts/build-release.ts';
import { ensureTestTemplate, REPO_ROOT } from '../storage-support/template-cache.ts';
import { until } from './wait.ts';

export const SCRIPTS = join(REPO_ROOT, 'firmware-scripts');
const STAND_IN = fileURLToPath(new URL('./firmware/', import.meta.url));

export interface TestReleases {
  work: string;
  key: string;
  pub: string;
  base: BuiltRelease;
  /** version → bundle file */
  bundles: Map<string, string>;
  /** A copy of the base release under another version (signed unless `unsigned`). */
  pack(version: string, o?: { unsigned?: boolean; change?: (dir: string) => void; from?: string }): string;
}

export async function makeTestReleases(prefix: string): Promise<TestReleases> {
  const work = fs.mkdtempSync(join(tmpdir(), `simpul-fw-${prefix}-`));
  const key = join(work, 'release.key');
  const pub = join(work, 'release.pub');
  execFileSync('minisign', ['-G', '-W', '-p', pub, '-s', key], { stdio: 'ignore' });
  const template = await ensureTestTemplate();
  const base = await buildRelease({ version: '0.1.0', out: join(work, 'dist'), key, template, log: () => {} });
  const bundles = new Map([['0.1.0', base.bundle]]);
  return {
    work,
    key,
    pub,
    base,
    bundles,
    pack(version, o = {}) {
      const dir = join(work, 'dist', `simpul-box-${version}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(o.from ?? base.dir, dir, { recursive: true });
      o.change?.(dir);
      const { bundle } = packRelease({ dir, version, out: join(work, 'dist'), key: o.unsigned ? undefined : key, unsigned: o.unsigned });
      bundles.set(version, bundle);
      return bundle;
    },
  };
}

/** A release whose box never becomes healthy (test/support/firmware-unhealthy-main.ts). */
export async function buildUnhealthyRelease(r: TestReleases): Promise<string> {
  const built = await buildRelease({
    version: '0.0.1',
    out: join(r.work, 'unhealthy'),
    key: r.key,
    template: await ensureTestTemplate(),
    log: () => {},
    entries: { main: 'test/support/firmware-unhealthy-main.ts' },
  });
  return built.dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A box installed under its own temporary root. */
export class TestRoot {
  readonly root: string;
  constructor(
    readonly httpsPort: number,
    prefix = 'root',
  ) {
    this.root = fs.mkdtempSync(join(tmpdir(), `simpul-fw-${prefix}-`));
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${STAND_IN}${delimiter}${process.env.PATH}`,
      SIMPUL_ROOT: this.root,
      SIMPUL_HTTPS_PORT: String(this.httpsPort),
      SIMPUL_HTTP_PORT: '0',
      SIMPUL_RESERVE_MB: '4',
      ...extra,
    };
  }

  /** Runs a firmware script (from the repository, or `installed` from the root's /opt/simpul/bin). */
  run(script: string, args: string[] = [], extra: Record<string, string> = {}, o: { installed?: boolean } = {}): Run {
    const file = o.installed ? join(this.root, 'opt/simpul/bin', script) : join(SCRIPTS, script);
    const r = spawnSync(file, args, { env: this.env(extra), encoding: 'utf8', timeout: 300_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** As `run`, without blocking this process (for a server the script talks to, in this process). */
  runAsync(script: string, args: string[] = [], extra: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(SCRIPTS, script), args, { env: this.env(extra) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  systemctl(...args: string[]): Run {
    const r = spawnSync(join(STAND_IN, 'systemctl'), args, { env: this.env(), encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  path(...p: string[]) {
    return join(this.root, ...p);
  }

  currentVersion(): string {
    return fs.readlinkSync(this.path('opt/simpul/current')).replace('releases/', '');
  }

  boxPid(): number | null {
    try {
      const pid = Number(fs.readFileSync(this.path('.systemctl/simpul.service.pid'), 'utf8'));
      process.kill(pid, 0);
      if (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z') return null;
      return pid;
    } catch {
      return null;
    }
  }

  /** A power cut for the box: SIGKILL to its whole process group (the box and its relay), until gone. */
  killBox() {
    const pid = this.boxPid();
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    // Gone when no process of its group is left (a zombie counts as gone: init reaps it).
    for (let i = 0; i < 200; i++) {
      const left = spawnSync('ps', ['-o', 'stat=', '-g', String(pid)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((s) => s && !s.startsWith('Z'));
      if (!left.length) return;
      spawnSync('sleep', ['0.05']);
    }
  }

  boxLog(): string {
    try {
      return fs.readFileSync(this.path('.systemctl/simpul.service.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async waitHealthy(timeoutMs = 90_000): Promise<Record<string, any>> {
    try {
      return await until(
        `the box under ${this.root} answers /healthz ok`,
        async () => {
          const r = await this.https('GET', '/healthz').catch(() => null);
          return r?.status === 200 ? (JSON.parse(r.text) as Record<string, any>) : null;
        },
        timeoutMs,
        250,
      );
    } catch (err) {
      // The box's own last words are what a failing run needs to be understood.
      const calls = fs.existsSync(this.path('.systemctl/calls.log')) ? fs.readFileSync(this.path('.systemctl/calls.log'), 'utf8') : '';
      throw new Error(`${(err as Error).message}\n--- systemctl calls ---\n${calls}--- last lines of the box log ---\n${this.boxLog().split('\n').slice(-40).join('\n')}`);
    }
  }

  https(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port: this.httpsPort,
          path,
          method,
          rejectUnauthorized: false,
          timeout: 10_000,
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

  /** Takes a queue number (an acknowledged clinical write); returns its ticket token. */
  async takeTicket(): Promise<string> {
    const r = await this.https('POST', '/api/v1/queue/take', { poli: 'umum' });
    if (r.status !== 200) throw new Error(`take a number: ${r.status} ${r.text}`);
    return (JSON.parse(r.text) as { token: string }).token;
  }

  async ticketKept(token: string): Promise<boolean> {
    return (await this.https('GET', `/api/v1/tickets/${token}`)).status === 200;
  }

  /** Stops the box and removes the root. */
  cleanup() {
    this.systemctl('stop', 'simpul.service');
    this.killBox();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The test config: more phone numbers a day than the tests take from loopback, and a box set up by
 * file (no first-run page: these tests are about installing and updating, not enrolment).
 */
export function allowManyTickets(root: TestRoot) {
  const file = root.path('etc/simpul/simpul.config.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...c, phoneTicketsPerAddress: 10_000, firstRunPage: false }, null, 2));
}
