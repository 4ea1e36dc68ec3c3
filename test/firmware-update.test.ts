/**
 * firmware-scripts/install.sh and update.sh for real under a temporary SIMPUL_ROOT, the box run
 * from the installed unit by the stand-in systemctl: install → serving → update → healthy; bundles
 * tampered, unsigned, signed by another key or older are refused; a release that fails its health
 * check is rolled back by itself (its database restored when it migrated); and a power cut (kill -9
 * of the script and of the box) at every point of an update ends, at the next start, on a working
 * release with every acknowledged record kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { allowManyTickets, buildUnhealthyRelease, freePort, makeTestReleases, TestRoot, type TestReleases } from './support/firmware.ts';

let rel: TestReleases;
let root: TestRoot;
let unhealthy: string;
/** Tickets the box answered: each must still be there after everything below. */
const acknowledged: string[] = [];

function outcome() {
  return JSON.parse(fs.readFileSync(root.path('var/lib/simpul/update-outcome.json'), 'utf8'));
}

async function allKept() {
  for (const t of acknowledged) expect(await root.ticketKept(t), `ticket ${t.slice(0, 6)}… kept`).toBe(true);
}

function runningFrom(): string {
  const pid = root.boxPid();
  if (!pid) return '';
  return (
    fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((a) => a.endsWith('main.mjs')) ?? ''
  );
}

beforeAll(async () => {
  rel = await makeTestReleases('update');
  rel.pack('0.2.0');
  unhealthy = await buildUnhealthyRelease(rel);
  root = new TestRoot(await freePort(), 'update');
  const r = root.run('install.sh', ['--pubkey', rel.pub, rel.bundles.get('0.1.0')!]);
  expect(r.code, r.stderr).toBe(0);
  allowManyTickets(root);
  root.systemctl('restart', 'simpul.service');
  await root.waitHealthy(150_000);
}, 400_000);

afterAll(() => {
  root?.cleanup();
  if (rel) fs.rmSync(rel.work, { recursive: true, force: true });
});

describe('install and update', () => {
  it('install: the box serves from the installed release, started through its unit', async () => {
    expect(root.currentVersion()).toBe('0.1.0');
    expect(runningFrom()).toBe(root.path('opt/simpul/current/box/main.mjs'));
    const health = await root.waitHealthy();
    expect(health.checks).toMatchObject({ database: 'ok', sync: 'off', update: null });
    acknowledged.push(await root.takeTicket(), await root.takeTicket());
  });

  it('update to a newer release: verified, backed up, switched, healthy, committed', async () => {
    const before = (await root.waitHealthy()).checks.migration;
    const r = root.run('update.sh', [rel.bundles.get('0.2.0')!], {}, { installed: true });
    expect(r.code, r.stderr).toBe(0);
    expect(root.currentVersion()).toBe('0.2.0');
    const health = await root.waitHealthy();
    expect(health.checks.migration).toBe(before);
    expect(health.checks.update).toMatchObject({ outcome: 'committed', version: '0.2.0', previous: '0.1.0', databaseRestored: false });
    expect(fs.existsSync(root.path('var/lib/simpul-update/journal'))).toBe(false);
    expect(fs.existsSync(root.path('run/simpul/trial.env'))).toBe(false);
    expect(fs.existsSync(root.path('var/backups/simpul/pre-update-0.1.0.tar.gz'))).toBe(true);
    // The trial ran on loopback only, then the box was restarted without it.
    const calls = fs.readFileSync(root.path('.systemctl/calls.log'), 'utf8');
    expect(calls).toMatch(/stop simpul\.service\nstart simpul\.service\nrestart simpul\.service/);
    await allKept();
    acknowledged.push(await root.takeTicket());
  }, 300_000);

  it('refuses a tampered payload, a tampered manifest, an unsigned bundle, another key, a downgrade and junk', async () => {
    const work = fs.mkdtempSync(join(rel.work, 'tamper-'));
    execFileSync('tar', ['-xf', rel.pack('0.5.0'), '-C', work]);
    const retar = (name: string) => {
      const f = join(rel.work, name);
      execFileSync('tar', ['-cf', f, '-C', work, ...fs.readdirSync(work)]);
      return f;
    };
    // One byte of the payload changed.
    const payload = fs.readFileSync(join(work, 'payload.tar.gz'));
    const original = Buffer.from(payload);
    payload[payload.length >> 1] ^= 0xff;
    fs.writeFileSync(join(work, 'payload.tar.gz'), payload);
    const cases: [string, string, RegExp][] = [['tampered payload', retar('t1.tar'), /tampered/]];
    fs.writeFileSync(join(work, 'payload.tar.gz'), original);
    // The manifest edited to say another version (its signature no longer verifies).
    const manifest = fs.readFileSync(join(work, 'manifest.json'), 'utf8');
    fs.writeFileSync(join(work, 'manifest.json'), manifest.replace('"0.5.0"', '"9.9.9"'));
    cases.push(['tampered manifest', retar('t2.tar'), /signature .* does not verify/]);
    fs.writeFileSync(join(work, 'manifest.json'), manifest);
    fs.rmSync(join(work, 'manifest.json.minisig'));
    cases.push(['unsigned', retar('t3.tar'), /unsigned/]);
    // Signed by a key the box does not trust.
    const other = join(rel.work, 'other');
    execFileSync('minisign', ['-G', '-W', '-p', `${other}.pub`, '-s', `${other}.key`], { stdio: 'ignore' });
    execFileSync('minisign', ['-S', '-s', `${other}.key`, '-m', join(work, 'manifest.json'), '-x', join(work, 'manifest.json.minisig')], { stdio: 'ignore' });
    cases.push(['another key', retar('t4.tar'), /signature .* does not verify/]);
    cases.push(['older release', rel.bundles.get('0.1.0')!, /older than the running 0\.2\.0/]);
    fs.writeFileSync(join(rel.work, 'junk.tar'), 'not a tar at all');
    cases.push(['junk', join(rel.work, 'junk.tar'), /not a release bundle/]);

    const calls = fs.readFileSync(root.path('.systemctl/calls.log'), 'utf8');
    for (const [what, bundle, message] of cases) {
      const r = root.run('update.sh', [bundle], {}, { installed: true });
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(message);
    }
    // Nothing changed: same release, no new release dir, the box never stopped.
    expect(root.currentVersion()).toBe('0.2.0');
    expect(fs.readdirSync(root.path('opt/simpul/releases')).sort()).toEqual(['0.1.0', '0.2.0']);
    expect(fs.readFileSync(root.path('.systemctl/calls.log'), 'utf8')).toBe(calls);
    await root.waitHealthy();
    await allKept();
  }, 120_000);

  it('a release that migrates and then fails its health check is rolled back by itself, its database restored', async () => {
    const before = (await root.waitHealthy()).checks.migration;
    acknowledged.push(await root.takeTicket());
    const bundle = rel.pack('0.3.0', { from: unhealthy, change: (d) => fs.writeFileSync(join(d, 'box/migrates'), 'yes\n') });
    const r = root.run('update.sh', ['--timeout', '25', bundle], {}, { installed: true });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/rolling back from 0\.3\.0 to 0\.2\.0/);
    expect(root.currentVersion()).toBe('0.2.0');
    const health = await root.waitHealthy();
    // The migration the failed release ran is gone with the restored database.
    expect(health.checks.migration).toBe(before);
    expect(health.checks.update).toMatchObject({ outcome: 'rolled-back', version: '0.3.0', previous: '0.2.0', databaseRestored: true });
    expect(outcome().reason).toMatch(/health check failed/);
    expect(fs.existsSync(root.path('var/lib/simpul/pgdata.failed-0.3.0'))).toBe(true);
    await allKept();
  }, 300_000);

  it('a release that answers unhealthy without migrating is rolled back and its database left as it is', async () => {
    const bundle = rel.pack('0.3.1', { from: unhealthy });
    const r = root.run('update.sh', ['--timeout', '25', bundle], {}, { installed: true });
    expect(r.code, r.stderr).toBe(3);
    expect(root.currentVersion()).toBe('0.2.0');
    const health = await root.waitHealthy();
    expect(health.checks.update).toMatchObject({ outcome: 'rolled-back', version: '0.3.1', databaseRestored: false });
    expect(outcome().reason).toMatch(/HTTP 503/);
    await allKept();
  }, 300_000);
});

/**
 * A power cut at each point: update.sh kills itself with SIGKILL there (SIMPUL_TEST_KILL_AT), the
 * test SIGKILLs the box's process group, then starts simpul.service as a boot would (its
 * ExecStartPre runs `update.sh --recover`).
 */
describe('kill -9 of the update and the box at each point, then the next start', () => {
  let n = 0;
  const points: { at: string; release: 'good' | 'migrating'; ends: 'old' | 'new'; outcome: string }[] = [
    { at: 'unpacked', release: 'good', ends: 'old', outcome: 'interrupted' },
    { at: 'stopped', release: 'good', ends: 'old', outcome: 'interrupted' },
    { at: 'backed-up', release: 'good', ends: 'old', outcome: 'interrupted' },
    { at: 'switched', release: 'good', ends: 'old', outcome: 'rolled-back' },
    { at: 'trial', release: 'good', ends: 'old', outcome: 'rolled-back' },
    { at: 'trial-running', release: 'good', ends: 'old', outcome: 'rolled-back' },
    { at: 'healthy', release: 'good', ends: 'old', outcome: 'rolled-back' },
    { at: 'committed', release: 'good', ends: 'new', outcome: 'committed' },
    { at: 'rolling-back', release: 'migrating', ends: 'old', outcome: 'rolled-back' },
    { at: 'restoring', release: 'migrating', ends: 'old', outcome: 'rolled-back' },
    { at: 'restore-moved', release: 'migrating', ends: 'old', outcome: 'rolled-back' },
  ];
  // A crash suite: CI runs a bounded sample (first, middle and last point of the good release,
  // and the migrating release's last); SIMPUL_FIRMWARE_KILL_POINTS=all runs every point.
  const sample = process.env.SIMPUL_FIRMWARE_KILL_POINTS === 'all' ? points : [points[0], points[Math.floor(points.length / 2)], points[points.length - 1]];
  for (const p of sample) {
    it(`killed at "${p.at}" (${p.release} release): ${p.ends === 'new' ? 'the new' : 'the old'} release serves, nothing acknowledged lost`, async () => {
      const from = root.currentVersion();
      const before = (await root.waitHealthy()).checks.migration;
      acknowledged.push(await root.takeTicket(), await root.takeTicket());
      const version = `0.6.${n++}`;
      const bundle = rel.pack(version, p.release === 'migrating' ? { from: unhealthy, change: (d) => fs.writeFileSync(join(d, 'box/migrates'), 'yes\n') } : {});
      const r = root.run('update.sh', ['--timeout', '25', bundle], { SIMPUL_TEST_KILL_AT: p.at }, { installed: true });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      root.killBox();
      const start = root.systemctl('start', 'simpul.service');
      expect(start.code, start.stderr + root.boxLog().slice(-2000)).toBe(0);
      const health = await root.waitHealthy(150_000);
      expect(root.currentVersion()).toBe(p.ends === 'new' ? version : from);
      expect(runningFrom()).toBe(root.path('opt/simpul/current/box/main.mjs'));
      expect(health.checks.migration).toBe(before);
      expect(health.checks.update).toMatchObject({ outcome: p.outcome, version });
      expect(fs.existsSync(root.path('var/lib/simpul-update/journal'))).toBe(false);
      expect(fs.readdirSync(root.path('opt/simpul/releases')).filter((d) => d.startsWith('.'))).toEqual([]);
      await allKept();
    }, 400_000);
  }
});
