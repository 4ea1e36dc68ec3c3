/**
 * firmware-scripts for real under temporary SIMPUL_ROOTs (the stand-in systemctl runs the box):
 * shellcheck on every script, `systemd-analyze verify` on every unit install.sh writes, the
 * firewall, time and router files checked by nft, chronyd and dnsmasq themselves; install twice
 * changes nothing; uninstall keeps the data; nightly backup rotation (7 daily, 4 weekly) and the
 * USB copy; restore.sh onto a second root gives the same records; the health check restarts a box
 * that stops answering; the disk guard prunes and reports; the time floor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join, relative } from 'node:path';
import { allowManyTickets, freePort, makeTestReleases, SCRIPTS, TestRoot, type TestReleases } from './support/firmware.ts';
import { REPO_ROOT } from './storage-support/template-cache.ts';
import { until } from './support/wait.ts';

let rel: TestReleases;
let root: TestRoot;
const tickets: string[] = [];
let firstStart: { page: { status: number; text: string }; health: { status: number; text: string } };

function install(r: TestRoot, extra: Record<string, string> = {}) {
  const run = r.run('install.sh', ['--pubkey', rel.pub, rel.bundles.get('0.1.0')!], extra);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** Every file, link and directory under the root with its mode and content, except the box's own runtime state. */
function snapshot(r: TestRoot): Map<string, string> {
  const skip = [/^\.systemctl/, /^system-actions\.log$/, /^var\/lib\/simpul\//, /^var\/lib\/simpul-update\/(health|lock|time-floor|disk-guard)/];
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(r.root, { recursive: true, withFileTypes: true })) {
    const p = relative(r.root, join(e.parentPath, e.name));
    if (skip.some((s) => s.test(p))) continue;
    const full = join(r.root, p);
    const st = fs.lstatSync(full);
    const what = e.isSymbolicLink() ? `link ${fs.readlinkSync(full)}` : e.isFile() ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : 'dir';
    out.set(p, `${(st.mode & 0o7777).toString(8)} ${what}`);
  }
  return out;
}

beforeAll(async () => {
  rel = await makeTestReleases('install');
  root = new TestRoot(await freePort(), 'install');
  install(root, { SIMPUL_HUB_HOST: 'hub.simpul.example', SIMPUL_LAN_IP: '192.168.8.20' });
  // A box just installed has no admin and no enrolment: it serves the first-run page, and
  // /healthz says it is not set up yet (answered, so the health check leaves it running).
  firstStart = await until(
    'the installed box serves its first-run page',
    async () => {
      const page = await root.https('GET', '/').catch(() => null);
      return page?.status === 200 ? { page, health: await root.https('GET', '/healthz') } : null;
    },
    150_000,
    250,
  );
  allowManyTickets(root);
  root.systemctl('restart', 'simpul.service');
  await root.waitHealthy(150_000);
  tickets.push(await root.takeTicket(), await root.takeTicket(), await root.takeTicket());
}, 400_000);

afterAll(() => {
  root?.cleanup();
  if (rel) fs.rmSync(rel.work, { recursive: true, force: true });
});

describe('scripts and the files they write', () => {
  it('shellcheck passes on every script (and the stand-in systemctl)', () => {
    const scripts = fs
      .readdirSync(SCRIPTS)
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(SCRIPTS, f));
    expect(scripts.length).toBeGreaterThanOrEqual(9);
    const r = spawnSync('shellcheck', ['-x', ...scripts, join(REPO_ROOT, 'test/support/firmware/systemctl')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('systemd-analyze verify passes on every unit, with the paths install.sh wrote (under the test root)', () => {
    const dir = root.path('etc/systemd/system');
    const units = fs.readdirSync(dir).filter((f) => /\.(service|timer)$/.test(f));
    expect(units.sort()).toEqual([
      'simpul-backup.service',
      'simpul-backup.timer',
      'simpul-fetch-release.service',
      'simpul-fetch-release.timer',
      'simpul-firewall.service',
      'simpul-health.service',
      'simpul-health.timer',
      'simpul-time-floor.service',
      'simpul.service',
    ]);
    // verify checks every ExecStart= command exists: the paths point into the test root.
    const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))], { encoding: 'utf8', cwd: dir });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    const unit = fs.readFileSync(join(dir, 'simpul.service'), 'utf8');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^MemoryMax=/m);
    expect(unit).toContain(`ExecStart=${process.execPath} --max-semi-space-size=2 --max-old-space-size=160 ${root.path('opt/simpul/current/box/main.mjs')}`);
    expect(unit).not.toMatch(/tsx/);
  });

  it("the firewall, chrony and dnsmasq files pass their own tools' checks and say what they should", () => {
    const nft = root.path('etc/simpul/firewall.nft');
    const n = spawnSync('nft', ['-c', '-f', nft], { encoding: 'utf8' });
    expect(n.stderr).toBe('');
    expect(n.status).toBe(0);
    const rules = fs.readFileSync(nft, 'utf8');
    expect(rules).toMatch(/policy drop/);
    expect(rules).toContain(`tcp dport { ${root.httpsPort}, 0 } accept`);
    expect(rules).toContain('udp dport 40000-40199 accept');
    expect(rules).toContain(`tcp dport 443 redirect to :${root.httpsPort}`);

    const chrony = root.path('etc/chrony/conf.d/simpul.conf');
    const c = spawnSync('chronyd', ['-p', '-f', chrony], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^server hub\.simpul\.example iburst prefer$/m);
    expect(c.stdout).toMatch(/^allow 192\.168\.0\.0\/16$/m);
    expect(c.stdout).toMatch(/^local stratum 10/m);

    const router = root.path('etc/simpul/router-dnsmasq.conf');
    const d = spawnSync('dnsmasq', ['--test', '-C', router], { encoding: 'utf8' });
    expect(d.status, d.stderr).toBe(0);
    expect(fs.readFileSync(router, 'utf8')).toMatch(/^address=\/simpul\.lan\/192\.168\.8\.20$/m);
    expect(fs.readFileSync(root.path('etc/avahi/avahi-daemon.conf'), 'utf8')).toMatch(/^host-name=simpul$/m);
    expect(fs.readFileSync(root.path('etc/systemd/journald.conf.d/simpul.conf'), 'utf8')).toMatch(/^SystemMaxUse=/m);
  });

  it('installs data 0700, records the system user and packages it would make, and starts the box on its first-run page', () => {
    expect(firstStart.page.text).toContain('name="claimCode"');
    expect(firstStart.health.status).toBe(503);
    expect(fs.statSync(root.path('var/lib/simpul')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(root.path('var/backups/simpul')).mode & 0o777).toBe(0o700);
    const actions = fs.readFileSync(root.path('system-actions.log'), 'utf8');
    expect(actions).toMatch(/^useradd --system .* simpul$/m);
    expect(actions).toMatch(/^apt-get install .*nodejs.*minisign/m);
    expect(actions).toMatch(/^chown simpul:simpul \/var\/lib\/simpul$/m);
    expect(fs.readFileSync(root.path('.systemctl/calls.log'), 'utf8')).toMatch(/^enable simpul\.service simpul-health\.timer simpul-backup\.timer/m);
  });

  it('running install.sh twice changes nothing', async () => {
    const before = snapshot(root);
    const again = install(root, { SIMPUL_HUB_HOST: 'hub.simpul.example', SIMPUL_LAN_IP: '192.168.8.20' });
    expect(again.stderr).not.toMatch(/wrote /);
    expect(snapshot(root)).toEqual(before);
    await root.waitHealthy();
  }, 120_000);
});

describe('backup, restore, heal', () => {
  it('nightly backup keeps 7 daily and 4 weekly, and copies to a USB stick labelled SIMPUL-BACKUP', () => {
    const daily = root.path('var/backups/simpul/daily');
    const weekly = root.path('var/backups/simpul/weekly');
    fs.mkdirSync(daily, { recursive: true });
    fs.mkdirSync(weekly, { recursive: true });
    // Nights before: 20 daily backups and 8 weekly ones (dated names, as backup.sh makes them).
    for (let d = 1; d <= 20; d++) fs.writeFileSync(join(daily, `simpul-2026-11-${String(d).padStart(2, '0')}.tar.gz`), 'old');
    for (let w = 40; w <= 47; w++) fs.writeFileSync(join(weekly, `simpul-2026-W${w}.tar.gz`), 'old');
    fs.mkdirSync(root.path('media/SIMPUL-BACKUP'), { recursive: true });
    const r = root.run('backup.sh', [], { SIMPUL_BACKUP_DATE: '2026-12-03' }, { installed: true });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(daily).sort()).toEqual([
      'simpul-2026-11-15.tar.gz',
      'simpul-2026-11-16.tar.gz',
      'simpul-2026-11-17.tar.gz',
      'simpul-2026-11-18.tar.gz',
      'simpul-2026-11-19.tar.gz',
      'simpul-2026-11-20.tar.gz',
      'simpul-2026-12-03.tar.gz',
    ]);
    expect(fs.readdirSync(weekly).sort()).toEqual(['simpul-2026-W45.tar.gz', 'simpul-2026-W46.tar.gz', 'simpul-2026-W47.tar.gz', 'simpul-2026-W49.tar.gz']);
    expect(fs.statSync(join(daily, 'simpul-2026-12-03.tar.gz')).size).toBeGreaterThan(100_000);
    expect(fs.readdirSync(root.path('media/SIMPUL-BACKUP/simpul'))).toEqual(['simpul-2026-12-03.tar.gz']);
    // A second backup the same ISO week is not another weekly one.
    const again = root.run('backup.sh', [], { SIMPUL_BACKUP_DATE: '2026-12-04' }, { installed: true });
    expect(again.code, again.stderr).toBe(0);
    expect(fs.readdirSync(weekly)).toHaveLength(4);
    expect(fs.readdirSync(weekly)).not.toContain('simpul-2026-W50.tar.gz');
    expect(fs.readdirSync(daily)).toContain('simpul-2026-12-04.tar.gz');
    expect(fs.readdirSync(daily)).toHaveLength(7);
  }, 180_000);

  it('restore.sh onto a second root (a replaced box): the same records', async () => {
    const second = new TestRoot(await freePort(), 'restored');
    try {
      const r1 = second.run('install.sh', ['--pubkey', rel.pub, rel.bundles.get('0.1.0')!]);
      expect(r1.code, r1.stderr).toBe(0);
      // A replaced box set up by file (its first-run page is the enrolment tests' subject).
      allowManyTickets(second);
      second.systemctl('restart', 'simpul.service');
      await second.waitHealthy(150_000);
      expect(await second.ticketKept(tickets[0]!)).toBe(false);
      const backup = root.path('var/backups/simpul/daily/simpul-2026-12-04.tar.gz');
      // Refused over its own database without --replace.
      expect(second.run('restore.sh', [backup], {}, { installed: true }).code).toBe(1);
      const r2 = second.run('restore.sh', [backup, '--replace'], {}, { installed: true });
      expect(r2.code, r2.stderr).toBe(0);
      await second.waitHealthy(150_000);
      for (const t of tickets) expect(await second.ticketKept(t)).toBe(true);
      expect(fs.readdirSync(second.path('var/lib/simpul')).some((f) => f.startsWith('pgdata.replaced-'))).toBe(true);
    } finally {
      second.cleanup();
    }
  }, 400_000);

  it('uninstall keeps the data; installing again serves the same records', async () => {
    const u = root.run('install.sh', ['--uninstall']);
    expect(u.code, u.stderr).toBe(0);
    expect(root.boxPid()).toBeNull();
    expect(fs.existsSync(root.path('opt/simpul'))).toBe(false);
    expect(fs.existsSync(root.path('etc/systemd/system/simpul.service'))).toBe(false);
    expect(fs.existsSync(root.path('var/lib/simpul/pgdata/PG_VERSION'))).toBe(true);
    expect(fs.readdirSync(root.path('var/backups/simpul/daily')).length).toBe(7);
    expect(fs.existsSync(root.path('etc/simpul/simpul.config.json'))).toBe(true);
    install(root);
    await root.waitHealthy(150_000);
    for (const t of tickets) expect(await root.ticketKept(t)).toBe(true);
  }, 300_000);

  it('the health check restarts a box that stops answering, and starts one that is not running', async () => {
    const hung = root.boxPid()!;
    process.kill(hung, 'SIGSTOP');
    try {
      for (let i = 1; i <= 2; i++) {
        const r = root.run('health-check.sh', [], {}, { installed: true });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`did not answer /healthz \\(${i} in a row\\)`));
        expect(root.boxPid()).toBe(hung);
      }
      const third = root.run('health-check.sh', [], {}, { installed: true });
      expect(third.stderr).toMatch(/restarting the box: no answer 3 times in a row/);
    } finally {
      try {
        process.kill(hung, 'SIGCONT');
      } catch {
        /* restarted */
      }
    }
    expect(root.boxPid()).not.toBe(hung);
    await root.waitHealthy(150_000);
    // Dead (systemd gave up restarting it): started again at the next check.
    root.killBox();
    await until('the box is gone', () => root.boxPid() === null, 10_000, 50);
    const r = root.run('health-check.sh', [], {}, { installed: true });
    expect(r.stderr).toMatch(/not running: starting it/);
    await root.waitHealthy(150_000);
    for (const t of tickets) expect(await root.ticketKept(t)).toBe(true);
  }, 400_000);

  it('the disk guard prunes old releases, copies and backups (never the newest) and reports low, then critical', () => {
    fs.mkdirSync(root.path('opt/simpul/releases/0.0.9/box'), { recursive: true });
    const failed = root.path('var/lib/simpul/pgdata.failed-0.0.8');
    fs.mkdirSync(failed);
    execFileSync('touch', ['-d', '10 days ago', failed]);
    const recent = root.path('var/lib/simpul/pgdata.failed-0.0.9');
    fs.mkdirSync(recent);
    const ok = root.run('disk-guard.sh', [], { SIMPUL_DISK_FREE_MB: '5000' }, { installed: true });
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.existsSync(root.path('opt/simpul/releases/0.0.9'))).toBe(true);

    const low = root.run('disk-guard.sh', [], { SIMPUL_DISK_FREE_MB: '250' }, { installed: true });
    expect(low.code, low.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(root.path('var/lib/simpul-update/disk-guard.json'), 'utf8'));
    expect(report).toMatchObject({ state: 'low', freeMb: 250 });
    expect(report.pruned).toEqual(expect.arrayContaining(['/opt/simpul/releases/0.0.9', '/var/lib/simpul/pgdata.failed-0.0.8', 'journal:50M']));
    expect(fs.existsSync(root.path('opt/simpul/releases/0.1.0'))).toBe(true);
    expect(fs.existsSync(recent)).toBe(true);
    expect(fs.readdirSync(root.path('var/backups/simpul/daily'))).toEqual(['simpul-2026-12-04.tar.gz']);
    expect(fs.readdirSync(root.path('var/backups/simpul/weekly'))).toEqual(['simpul-2026-W49.tar.gz']);
    expect(fs.readFileSync(root.path('system-actions.log'), 'utf8')).toMatch(/^journalctl --vacuum-size=50M$/m);
    expect(fs.existsSync(root.path('var/lib/simpul-reserve'))).toBe(true);

    const critical = root.run('disk-guard.sh', [], { SIMPUL_DISK_FREE_MB: '60' }, { installed: true });
    expect(critical.stderr).toMatch(/released the reserve/);
    expect(JSON.parse(fs.readFileSync(root.path('var/lib/simpul-update/disk-guard.json'), 'utf8'))).toMatchObject({
      state: 'critical',
      pruned: expect.arrayContaining(['/var/lib/simpul-reserve']),
    });
    expect(fs.existsSync(root.path('var/lib/simpul-reserve'))).toBe(false);
  });

  it('the time floor: recorded while the clock is sane, and a clock below it at boot is set up to it', () => {
    const floor = Number(root.run('time-floor.sh', ['show'], {}, { installed: true }).stdout.trim());
    // At least the release's build time.
    expect(floor).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
    const later = floor + 86_400;
    expect(root.run('time-floor.sh', ['stamp'], { SIMPUL_NOW: String(later) }, { installed: true }).code).toBe(0);
    // A clock that went back (no battery, 1970) does not lower the floor.
    expect(root.run('time-floor.sh', ['stamp'], { SIMPUL_NOW: '100' }, { installed: true }).code).toBe(0);
    expect(Number(root.run('time-floor.sh', ['show'], {}, { installed: true }).stdout.trim())).toBe(later);
    const set = root.run('time-floor.sh', ['set'], { SIMPUL_NOW: '100' }, { installed: true });
    expect(set.code, set.stderr).toBe(0);
    expect(fs.readFileSync(root.path('system-actions.log'), 'utf8')).toContain(`date -u -s @${later}`);
  });
});
