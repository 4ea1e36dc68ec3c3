/**
 * Releases from the hub, end to end on the embedded stack (Aedes + PGlite): a rollout's wave
 * reaches a box through the durable downlink, the box writes the assignment where
 * firmware-scripts/fetch-release.sh reads it (its data dir under a SIMPUL_ROOT test root), the
 * script downloads the bundle from the hub's release route as the box (resuming a partial
 * download with a range request), and the update outcome the box then reports in its status
 * finishes the rollout. The rollout is moved by hand (hub.advanceRollouts), not by waiting.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAssignment } from '../appliance/release-assignment.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync, type Sync } from '../appliance/sync/index.ts';
import { registerRelease } from '../central/releases/registry.ts';
import { createRollout, haltRollout, resumeRollout, rolloutProgress } from '../central/releases/rollouts.ts';
import { makeFakeBundle } from '../central/releases/testing/fake-bundle.ts';
import { quietLog, startStack, type Stack } from '../central/testing/stack.ts';
import { TestRoot } from './support/firmware.ts';
import { until } from './support/wait.ts';

let stack: Stack;
let root: TestRoot;
let db: GroupCommitDb;
let sync: Sync;
let cred: { deviceId: string; secret: string };
let bundle: Buffer;
let sha: string;
let rolloutId: string;
const dataDir = () => root.path('var/lib/simpul');
const config = (c: Record<string, unknown>) => {
  fs.mkdirSync(root.path('etc/simpul'), { recursive: true });
  fs.writeFileSync(root.path('etc/simpul/simpul.config.json'), JSON.stringify(c));
};

beforeAll(async () => {
  stack = await startStack('embedded+pglite');
  root = new TestRoot(0, 'hub-releases');
  fs.mkdirSync(dataDir(), { recursive: true, mode: 0o700 });
  cred = await stack.enrol('clinic', '5301');
  db = new GroupCommitDb(await openMemoryDatabase());
  sync = await startSync({
    db,
    log: quietLog(),
    config: {
      mqttUrl: stack.mqttUrl,
      deviceId: cred.deviceId,
      deviceSecret: cred.secret,
      dataDir: dataDir(),
      facility: { code: '0112P001' },
      timeZone: 'Asia/Makassar',
      syncPollMs: 50,
      syncAckTimeoutMs: 2000,
      syncBackoffMinMs: 50,
      syncBackoffMaxMs: 400,
      syncStatusIntervalMs: 300,
    },
  });
  const file = makeFakeBundle(root.path('build'), '0.2.0', 2 * 1_048_576);
  bundle = fs.readFileSync(file);
  sha = createHash('sha256').update(bundle).digest('hex');
  await registerRelease(stack.db, root.path('hub'), { file, version: '0.2.0' });
}, 120_000);

afterAll(async () => {
  await sync?.close();
  await db?.close();
  await stack?.close();
  if (root) fs.rmSync(root.root, { recursive: true, force: true });
});

describe('a release from the hub', () => {
  it('the wave reaches the box through the downlink and lands in the file fetch-release.sh reads', async () => {
    await until('the box connected', async () => (await sync.stats()).connected);
    ({ id: rolloutId } = await createRollout(stack.db, { version: '0.2.0', waves: [{ region: '5301' }] }, 'test', new Date()));
    expect((await stack.hub.advanceRollouts()).assigned).toEqual([cred.deviceId]);
    await until('the assignment file', () => readAssignment(dataDir()) !== null);
    const a = readAssignment(dataDir())!;
    expect(a).toMatchObject({ rollout: rolloutId, version: '0.2.0', sha256: sha, bytes: bundle.length, url: `${stack.hub.url}/releases/0.2.0/bundle` });
    // With the box's download key, and as private as the box's secrets.
    expect(a.downloadKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(join(dataDir(), 'release-assignment.json')).mode & 0o777).toBe(0o600);
    // The hub hears the box kept it (downlink acknowledged).
    await until(
      'the hub hears the assignment applied',
      async () => (await stack.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND kind = 'release' AND outcome = 'applied'`, [cred.deviceId])).rows.length > 0,
    );
  }, 60_000);

  it('fetch-release.sh downloads it from the hub as the box, resuming a partial download with a range request', async () => {
    // A box whose secret is wrong gets nothing (an assignment from an older hub: no download key).
    const file = join(dataDir(), 'release-assignment.json');
    const assigned = fs.readFileSync(file, 'utf8');
    const { downloadKey, ...withoutKey } = JSON.parse(assigned);
    fs.writeFileSync(file, JSON.stringify(withoutKey));
    config({ deviceId: cred.deviceId, deviceSecret: 'not-the-secret', syncNightWindow: '22:00-05:00' });
    const refused = await root.runAsync('fetch-release.sh', ['--no-update'], { SIMPUL_NOW_HHMM: '23:10' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    // A box enrolled with a claim code has no secret: its assignment's download key lets it in.
    fs.writeFileSync(file, assigned);
    // A download cut at 700 KiB (what the partial file holds after a dropped link).
    config({ deviceId: cred.deviceId, syncNightWindow: '22:00-05:00' });
    const dl = root.path('var/lib/simpul-update/download');
    fs.mkdirSync(dl, { recursive: true });
    fs.writeFileSync(join(dl, 'simpul-box-0.2.0.tar.partial'), bundle.subarray(0, 700 * 1024));
    const outside = await root.runAsync('fetch-release.sh', ['--no-update'], { SIMPUL_NOW_HHMM: '10:00' });
    expect(outside.stderr).toMatch(/outside the night window/);
    const r = await root.runAsync('fetch-release.sh', ['--no-update'], { SIMPUL_NOW_HHMM: '23:15' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`resuming at byte ${700 * 1024} of ${bundle.length}`));
    const got = fs.readFileSync(join(dl, 'simpul-box-0.2.0.tar'));
    expect(createHash('sha256').update(got).digest('hex')).toBe(sha);
    // The key went to curl on stdin, never into the log.
    expect(r.stderr).not.toContain(downloadKey);
  }, 60_000);

  it('the update outcome comes back in the status, and the rollout is done', async () => {
    // What update.sh writes after a committed update (appliance/update-outcome.ts).
    fs.writeFileSync(
      join(dataDir(), 'update-outcome.json'),
      JSON.stringify({ outcome: 'committed', version: '0.2.0', previous: '0.1.0', reason: null, databaseRestored: false, at: new Date().toISOString() }),
    );
    await until('the committed update in the status at the hub', async () => {
      await stack.hub.fleet.flush();
      const { rows } = await stack.db.query<{ s: string | null }>(`SELECT last_status#>>'{update,outcome}' AS s FROM devices WHERE id = $1`, [cred.deviceId]);
      return rows[0]?.s === 'committed';
    });
    expect((await stack.hub.advanceRollouts()).done).toEqual([rolloutId]);
    const p = await rolloutProgress(stack.db, rolloutId);
    expect(p.state).toBe('done');
    expect(p.waves[0]).toMatchObject({ assigned: 1, updated: 1, failed: 0, pending: 0 });
  }, 60_000);

  it('a halt withdraws an assignment the box has not acted on: the file goes, the download is refused; a resume assigns it again', async () => {
    const file = makeFakeBundle(root.path('build'), '0.3.0', 300_000);
    await registerRelease(stack.db, root.path('hub'), { file, version: '0.3.0' });
    const { id } = await createRollout(stack.db, { version: '0.3.0', waves: [{ region: '5301' }] }, 'test', new Date());
    expect((await stack.hub.advanceRollouts()).assigned).toEqual([cred.deviceId]);
    await until('the 0.3.0 assignment file', () => readAssignment(dataDir())?.version === '0.3.0');
    const kept = fs.readFileSync(join(dataDir(), 'release-assignment.json'), 'utf8');
    await until(
      'the hub hears the 0.3.0 assignment applied',
      async () =>
        (await stack.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND kind = 'release' AND body->>'version' = '0.3.0' AND outcome = 'applied'`, [cred.deviceId])).rows
          .length > 0,
    );
    // The CLI halts from another process: the withdrawal waits in the downlink, and goes with the box's next status.
    const halted = await haltRollout(stack.db, id, 'halted by hand: test', new Date());
    expect(halted.withdrawn).toEqual([cred.deviceId]);
    await until('the assignment file removed', () => !fs.existsSync(join(dataDir(), 'release-assignment.json')));
    // fetch-release.sh finds nothing to do; with the old assignment kept aside, the hub refuses the download.
    config({ deviceId: cred.deviceId });
    const nothing = await root.runAsync('fetch-release.sh', ['--no-update', '--now'], {});
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stderr).toMatch(/no release assigned/);
    const aside = root.path('tmp-old-assignment.json');
    fs.writeFileSync(aside, kept);
    const refused = await root.runAsync('fetch-release.sh', [aside, '--no-update', '--now'], {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/404/);
    // A resume: the box gets the release again, under a newer number.
    await resumeRollout(stack.db, id, new Date());
    expect((await stack.hub.advanceRollouts()).assigned).toEqual([cred.deviceId]);
    await until('a fresh 0.3.0 assignment file', () => readAssignment(dataDir())?.version === '0.3.0');
    expect(readAssignment(dataDir())!.assignment).toBeGreaterThan(JSON.parse(kept).assignment);
    const again = await root.runAsync('fetch-release.sh', ['--no-update', '--now'], {});
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/downloaded 0.3.0/);
  }, 90_000);
});
