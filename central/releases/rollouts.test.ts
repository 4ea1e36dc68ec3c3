/**
 * Rollouts by waves on an injected clock: a wave's boxes are assigned once, the next wave waits
 * until every box of the previous reported the version, the rollout halts by itself past its
 * failure threshold (saying which boxes), and a resume accepts the failures so far and goes on.
 * Each box's report is written as the fleet state writes it (devices.last_status).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downlinkItem } from '../contract/index.ts';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import { registerRelease, ReleaseError } from './registry.ts';
import { advanceRollouts, createRollout, haltRollout, listRollouts, resumeRollout, rolloutProgress, RolloutError } from './rollouts.ts';
import { assignedTo } from './releases.ts';
import { formatProgress, parseWave } from './release-cli.ts';
import { makeFakeBundle } from './testing/fake-bundle.ts';

let db: HubDb;
let dir: string;
let clock = new Date('2026-12-03T20:00:00Z');
const tick = (minutes = 1) => (clock = new Date(clock.getTime() + minutes * 60_000));
const step = () => advanceRollouts(db, { now: clock, baseUrl: 'https://hub.example' });

const boxes = {
  'kupang-a': { region: '5301', tags: ['pilot'] },
  'kupang-b': { region: '5301', tags: [] },
  'kupang-c': { region: '5301', tags: [] },
  'kupang-d': { region: '5301', tags: [] },
  'soe-a': { region: '5302', tags: ['pilot'] },
  'soe-b': { region: '5302', tags: [] },
};

/** What a box's status says after update.sh ran (status v2's `update`, the fields a rollout reads). */
async function report(id: string, outcome: 'committed' | 'rolled-back', version = '0.2.0') {
  await db.query(`UPDATE devices SET last_status = $2 WHERE id = $1`, [
    id,
    JSON.stringify({ v: 2, sw: outcome === 'committed' ? version : '0.1.0', update: { outcome, version, at: clock.toISOString() } }),
  ]);
}

async function assignmentsOf(id: string) {
  const { rows } = await db.query<{ body: unknown }>(`SELECT body FROM downlink WHERE device_id = $1 AND kind = 'release' ORDER BY seq`, [id]);
  return rows.map((r) => downlinkItem.parse(r.body));
}

beforeAll(async () => {
  db = await openMemoryHubDatabase();
  dir = mkdtempSync(join(tmpdir(), 'simpul-rollouts-'));
  for (const [id, b] of Object.entries(boxes))
    await db.query(`INSERT INTO devices (id, secret_hash, facility_code, region_code, tags) VALUES ($1, 'x', $2, $3, $4)`, [id, `${b.region}P001`, b.region, b.tags]);
  await db.query(`INSERT INTO devices (id, secret_hash, facility_code, region_code, revoked_at) VALUES ('kupang-gone', 'x', '5301P009', '5301', now())`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the release registry', () => {
  it('registers a bundle by its own version and sha256; refuses another version, a wrong checksum, and a different file under a known version', async () => {
    const bundle = makeFakeBundle(dir, '0.2.0');
    const r = await registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.2.0' });
    expect(r).toMatchObject({ version: '0.2.0', already: false });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.2.0', sha256: r.sha256 })).already).toBe(true);
    await expect(registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.3.0' })).rejects.toThrow(/is release 0.2.0, not 0.3.0: give --version 0.2.0/);
    await expect(registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.2.0', sha256: 'a'.repeat(64) })).rejects.toThrow(/is it the right file/);
    const other = makeFakeBundle(join(dir, 'other'), '0.2.0');
    await expect(registerRelease(db, join(dir, 'hub'), { file: other, version: '0.2.0' })).rejects.toThrow(/already registered with another sha256/);
    await expect(registerRelease(db, join(dir, 'hub'), { file: join(dir, 'nothing.tar'), version: '0.2.0' })).rejects.toBeInstanceOf(ReleaseError);
  });
});

describe('a rollout by waves', () => {
  let id = '';
  it('refuses a release that is not registered, and a malformed wave, saying what to do', async () => {
    await expect(createRollout(db, { version: '9.9.9', waves: [{}] }, 'test', clock)).rejects.toThrow(/register it first/);
    await expect(createRollout(db, { version: '0.2.0', waves: [{ percent: 0 }] }, 'test', clock)).rejects.toBeInstanceOf(RolloutError);
    expect(() => parseWave('region=53xx')).toThrow(/--wave region=53xx: region/);
    expect(() => parseWave('colour=red')).toThrow(/unknown key "colour"/);
    expect(parseWave('tags=pilot+ntt,percent=10%')).toEqual({ tags: ['pilot', 'ntt'], percent: 10 });
  });

  it('wave 1 (tagged pilot, in Kupang) is assigned once: version, url, sha256, bytes, a growing number', async () => {
    ({ id } = await createRollout(
      db,
      { version: '0.2.0', waves: [parseWave('tags=pilot,region=5301'), parseWave('region=5301,percent=75'), parseWave('all')], maxFailures: 0 },
      'test',
      clock,
    ));
    const r = await step();
    expect(r.assigned).toEqual(['kupang-a']);
    const [item] = await assignmentsOf('kupang-a');
    expect(item).toMatchObject({
      kind: 'release',
      rollout: id,
      version: '0.2.0',
      url: 'https://hub.example/releases/0.2.0/bundle',
      bytes: statSync(join(dir, 'simpul-box-0.2.0.tar')).size,
    });
    expect(item.kind === 'release' && item.sha256).toMatch(/^[0-9a-f]{64}$/);
    tick();
    expect((await step()).assigned).toEqual([]);
    expect(await assignmentsOf('kupang-a')).toHaveLength(1);
  });

  it('wave 2 waits for wave 1 to report the version, then takes 75 % of Kupang counted with wave 1', async () => {
    let p = await rolloutProgress(db, id);
    expect(p.waves.map((w) => [w.assigned, w.updated, w.failed, w.pending])).toEqual([
      [1, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    // Another release's outcome says nothing about this one.
    await report('kupang-a', 'rolled-back', '0.1.5');
    tick(60);
    expect((await step()).assigned).toEqual([]);
    await report('kupang-a', 'committed');
    tick();
    const r = await step();
    // 4 live Kupang boxes (the revoked one never): 75 % is 3, wave 1 took 1.
    expect(r.assigned).toHaveLength(2);
    expect(r.assigned.every((b) => b.startsWith('kupang-') && b !== 'kupang-a' && b !== 'kupang-gone')).toBe(true);
    p = await rolloutProgress(db, id);
    expect(p.wave).toBe(1);
    expect(p.waves[0]).toMatchObject({ assigned: 1, updated: 1, failed: 0, pending: 0 });
    expect(p.waves[1]).toMatchObject({ assigned: 2, updated: 0, failed: 0, pending: 2 });
    const numbers = [...(await assignmentsOf('kupang-a')), ...(await assignmentsOf(r.assigned[0])), ...(await assignmentsOf(r.assigned[1]))].map((i) =>
      i.kind === 'release' ? i.assignment : 0,
    );
    expect(new Set(numbers).size).toBe(3);
    expect(Math.min(...numbers)).toBe(numbers[0]);
  });

  it('halts by itself past the threshold, naming the box, and starts no further wave', async () => {
    const wave2 = (await rolloutProgress(db, id)).waves[1];
    expect(wave2.assigned).toBe(2);
    const { rows } = await db.query<{ device_id: string }>(`SELECT device_id FROM rollout_assignments WHERE rollout_id = $1 AND wave = 1 ORDER BY device_id`, [id]);
    const [bad, good] = rows.map((r) => r.device_id);
    await report(bad, 'rolled-back');
    await report(good, 'committed');
    tick();
    const r = await step();
    expect(r.halted).toEqual([{ id, reason: expect.stringContaining(`1 box(es) rolled 0.2.0 back, more than the 0 allowed: ${bad}`) }]);
    expect(r.assigned).toEqual([]);
    const p = await rolloutProgress(db, id);
    expect(p.state).toBe('halted');
    expect(p.failedBoxes).toEqual([bad]);
    tick(60);
    expect((await step()).assigned).toEqual([]);
    expect(formatProgress(p)).toMatch(/halted — 1 box\(es\) rolled 0.2.0 back/);
    expect(formatProgress(p)).toMatch(/\n\s+2 region=5301,percent=75\s+2\s+1\s+1\s+0/);
  });

  it('a resume accepts the failures so far: the last wave goes to the rest, and the rollout is done when they report', async () => {
    const p = await resumeRollout(db, id, clock);
    expect(p).toMatchObject({ state: 'running', acceptedFailures: 1, haltReason: null });
    await expect(resumeRollout(db, id, clock)).rejects.toThrow(/not halted/);
    tick();
    const r = await step();
    // The last wave (all): the one Kupang box the others left, and both of Soe's.
    const taken = (await db.query<{ device_id: string }>(`SELECT device_id FROM rollout_assignments WHERE rollout_id = $1 AND wave < 2`, [id])).rows.map((x) => x.device_id);
    expect(r.assigned.sort()).toEqual(
      Object.keys(boxes)
        .filter((b) => !taken.includes(b))
        .sort(),
    );
    expect(r.assigned).toHaveLength(3);
    for (const b of r.assigned) await report(b, 'committed');
    tick();
    expect((await step()).done).toEqual([id]);
    const done = await rolloutProgress(db, id);
    expect(done.state).toBe('done');
    expect(done.waves[2]).toMatchObject({ assigned: 3, updated: 3, failed: 0, pending: 0 });
    await expect(haltRollout(db, id, 'x', clock)).rejects.toThrow(/is done/);
  });

  it('a percentage threshold halts too, and a halt by hand keeps waves from starting', async () => {
    const bundle = makeFakeBundle(dir, '0.3.0', 1000);
    await registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.3.0' });
    const { id: second } = await createRollout(db, { version: '0.3.0', waves: [{ region: '5301' }, {}], maxFailures: 10, maxFailurePercent: 30 }, 'test', clock);
    const r = await step();
    expect(r.assigned.sort()).toEqual(['kupang-a', 'kupang-b', 'kupang-c', 'kupang-d']);
    // A newer rollout's assignment has a higher number than every earlier one (a box refuses a lower one).
    const items = await assignmentsOf('kupang-a');
    expect(items).toHaveLength(2);
    expect(items[1].kind === 'release' && items[0].kind === 'release' && items[1].assignment > items[0].assignment).toBe(true);
    await report('kupang-a', 'rolled-back', '0.3.0');
    tick();
    expect((await step()).halted).toEqual([]);
    await report('kupang-b', 'rolled-back', '0.3.0');
    tick();
    expect((await step()).halted).toEqual([{ id: second, reason: expect.stringMatching(/2 of 4 boxes \(50%\) rolled 0.3.0 back, more than 30%/) }]);
    await resumeRollout(db, second, clock);
    await haltRollout(db, second, 'halted by hand: waiting for the district', clock);
    for (const b of ['kupang-c', 'kupang-d']) await report(b, 'committed', '0.3.0');
    tick();
    expect((await step()).assigned).toEqual([]);
    expect((await rolloutProgress(db, second)).haltReason).toBe('halted by hand: waiting for the district');
  });
});

describe('a halt withdraws the assignments not yet acted on', () => {
  let id = '';
  /** The downlink rows of a box's items of `kind`, oldest first. */
  const items = async (box: string, kind: string) =>
    (
      await db.query<{ id: string; body: unknown; outcome: string | null; acked: boolean }>(
        `SELECT id, body, outcome, acked_at IS NOT NULL AS acked FROM downlink WHERE device_id = $1 AND kind = $2 ORDER BY seq`,
        [box, kind],
      )
    ).rows.map((r) => ({ ...r, item: downlinkItem.parse(r.body) }));
  const number = (i: { item: object }) => (i.item as { assignment: number }).assignment;

  it('on halt: an item not yet sent is cancelled, a box that received one gets a withdrawal numbered above it, and neither may download', async () => {
    const bundle = makeFakeBundle(dir, '0.4.0', 1000);
    await registerRelease(db, join(dir, 'hub'), { file: bundle, version: '0.4.0' });
    ({ id } = await createRollout(db, { version: '0.4.0', waves: [{ devices: ['soe-a', 'soe-b'] }, {}] }, 'test', clock));
    tick();
    expect((await step()).assigned.sort()).toEqual(['soe-a', 'soe-b']);
    // soe-a's assignment reached it (sent, acknowledged as kept); soe-b's waits in the downlink (the box is offline).
    const [sent] = await items('soe-a', 'release');
    const last = (await items('soe-a', 'release')).at(-1)!;
    expect(last.item).toMatchObject({ rollout: id, version: '0.4.0' });
    await db.query(`UPDATE downlink SET sent_at = $2, send_count = 1, acked_at = $2, outcome = 'applied' WHERE id = $1`, [last.id, clock.toISOString()]);
    expect(sent).toBeDefined();
    expect(await assignedTo(db, 'soe-a', '0.4.0')).toBe(true);
    tick();
    const halted = await haltRollout(db, id, 'halted by hand', clock);
    expect(halted.withdrawn.sort()).toEqual(['soe-a']);
    const b = (await items('soe-b', 'release')).at(-1)!;
    expect(b).toMatchObject({ acked: true, outcome: 'expired' });
    expect(await items('soe-b', 'release_withdrawal')).toEqual([]);
    const [w] = await items('soe-a', 'release_withdrawal');
    expect(w.item).toMatchObject({ kind: 'release_withdrawal', rollout: id, version: '0.4.0', withdraws: number(last) });
    expect(number(w)).toBeGreaterThan(number(last));
    expect(w.acked).toBe(false);
    expect(await assignedTo(db, 'soe-a', '0.4.0')).toBe(false);
    expect(await assignedTo(db, 'soe-b', '0.4.0')).toBe(false);
    const p = await rolloutProgress(db, id);
    expect(p.waves[0]).toMatchObject({ assigned: 2, pending: 2, withdrawn: 2 });
    // Halted: no step brings them back.
    tick();
    expect((await step()).assigned).toEqual([]);
  });

  it('on resume, each withdrawn box gets a fresh assignment (a new number and key) and may download again', async () => {
    const before = (await items('soe-a', 'release')).at(-1)!;
    const withdrawal = (await items('soe-a', 'release_withdrawal')).at(-1)!;
    await resumeRollout(db, id, clock);
    tick();
    expect((await step()).assigned.sort()).toEqual(['soe-a', 'soe-b']);
    for (const box of ['soe-a', 'soe-b']) {
      const fresh = (await items(box, 'release')).at(-1)!;
      expect(fresh.acked).toBe(false);
      expect(fresh.item).toMatchObject({ rollout: id, version: '0.4.0' });
      expect(number(fresh)).toBeGreaterThan(number(withdrawal));
      expect(await assignedTo(db, box, '0.4.0')).toBe(true);
    }
    const fresh = (await items('soe-a', 'release')).at(-1)!;
    expect((fresh.item as { downloadKey: string }).downloadKey).not.toBe((before.item as { downloadKey: string }).downloadKey);
    expect((await rolloutProgress(db, id)).waves[0]).toMatchObject({ assigned: 2, pending: 2, withdrawn: 0 });
  });

  it('a halt past the threshold withdraws too, but not from a box whose update already ran', async () => {
    const fresh = (await items('soe-a', 'release')).at(-1)!;
    await db.query(`UPDATE downlink SET sent_at = $2, send_count = 1, acked_at = $2, outcome = 'applied' WHERE id = $1`, [fresh.id, clock.toISOString()]);
    await report('soe-b', 'rolled-back', '0.4.0');
    tick();
    const r = await step();
    expect(r.halted.map((h) => h.id)).toEqual([id]);
    expect(r.withdrawn).toEqual(['soe-a']);
    const [, second] = await items('soe-a', 'release_withdrawal');
    expect(second.item).toMatchObject({ withdraws: number(fresh) });
    // soe-b rolled back: nothing of it is withdrawn (its outcome counts), and it may still fetch the bundle it tried.
    expect(await items('soe-b', 'release_withdrawal')).toEqual([]);
    expect(await assignedTo(db, 'soe-b', '0.4.0')).toBe(true);
    expect(await assignedTo(db, 'soe-a', '0.4.0')).toBe(false);
  });

  it('seen from a region: the counts and failed boxes of its own boxes, no halt reason (it names other regions’ boxes)', async () => {
    const soe = await rolloutProgress(db, id, '5302');
    expect(soe.waves[0]).toMatchObject({ assigned: 2, failed: 1 });
    expect(soe.failedBoxes).toEqual(['soe-b']);
    expect(soe.haltReason).toBeNull();
    const kupang = await rolloutProgress(db, id, '5301');
    expect(kupang.waves[0]).toMatchObject({ assigned: 0, failed: 0, pending: 0 });
    expect(kupang.failedBoxes).toEqual([]);
    expect((await rolloutProgress(db, id)).haltReason).toMatch(/soe-b/);
    // Its second wave (every box) may still reach Kupang: listed there; a rollout of named Soe boxes only is not.
    expect((await listRollouts(db, '5301')).map((p) => p.id)).toContain(id);
    const { id: named } = await createRollout(db, { version: '0.4.0', waves: [{ devices: ['soe-a'] }] }, 'test', clock);
    tick();
    expect((await step()).assigned).toEqual(['soe-a']);
    expect((await listRollouts(db, '5301')).map((p) => p.id)).not.toContain(named);
    expect((await listRollouts(db, '53')).map((p) => p.id)).toContain(named);
    expect((await listRollouts(db, '5302')).map((p) => p.id)).toContain(named);
  });
});
