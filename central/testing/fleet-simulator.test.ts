/**
 * The fleet simulator against a real hub on both stacks (small N: the 22,400-box run is the
 * benchmark): every simulated box connects with its own identity, reports v2 status, shows
 * online with its region; a box that goes dark is shown offline by the hub's sweep (an injected
 * clock moved past the offline limit, no three-minute wait), and the district's aggregate and
 * the box's own alerts fire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBoxes, countsByRegion } from '../fleet-state/box-list.ts';
import { reasonText } from '../http/fleet-views.ts';
import { enrolSimulatedFleet, type EnrolledSimBox } from './fleet-enrol.ts';
import { assignBehaviour, simulateFleet, type Simulation } from './fleet-simulator.ts';
import { startStack, type Stack, type StackKind } from './stack.ts';

const until = async (what: string, check: () => Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.each(['embedded+pglite', 'mosquitto+postgres'] as StackKind[])('fleet simulator on %s', (kind) => {
  let stack: Stack;
  let sim: Simulation;
  let boxes: EnrolledSimBox[];
  let offset = 0;
  const now = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    stack = await startStack(kind, {}, { fleet: { now, sweepEveryMs: 0, flushEveryMs: 200 }, alerts: { now, evaluateEveryMs: 0 } });
    // 8 boxes in two districts; box 0 and 1 "dark" by behaviour, but silenced by hand below.
    boxes = await enrolSimulatedFleet(stack.db, { n: 8, districts: ['5301', '5302'], prefix: `t${stack.runId}`, scrypt: kind === 'embedded+pglite' });
    sim = simulateFleet(
      boxes.map((b, i) => ({
        deviceId: b.deviceId,
        secret: b.secret,
        mqttUrl: stack.mqttUrl,
        behaviour: i < 2 ? 'normal' : assignBehaviour(i) === 'dark' ? 'normal' : i === 3 ? 'disk' : i === 4 ? 'skew' : 'normal',
      })),
      { intervalMs: 500, rampMs: 200, darkWithinMs: 1e9 },
    );
  });
  afterAll(async () => {
    await sim?.stop();
    await stack?.close();
  });

  it('every box connects with its own identity and shows online with its region and figures', async () => {
    await until('all boxes online', async () => (await listBoxes(stack.db, { region: '53', state: 'online', q: `t${stack.runId}` })).total === 8);
    const counts = await countsByRegion(stack.db, '53');
    expect(counts.map((c) => [c.code, c.counts.online])).toEqual([
      ['5301', 4],
      ['5302', 4],
    ]);
    const { rows } = await stack.db.query<{ s: { v: number; sw: string; disk: { total: number } } }>(`SELECT last_status AS s FROM devices WHERE id = $1`, [boxes[3].deviceId]);
    expect(rows[0].s).toMatchObject({ v: 2, sw: '0.1.0', disk: { total: 64 * 2 ** 30 } });
    expect(sim.stats().connected).toBe(8);
  });

  it('a box that goes dark is shown offline by the hub within its offline limit, and alerts fire', async () => {
    sim.silence(boxes[0].deviceId);
    const lastOf = async (id: string) => new Date((await stack.db.query<{ t: Date }>(`SELECT last_report_at AS t FROM box_state WHERE device_id = $1`, [id])).rows[0].t).getTime();
    // Its last message handled: the others have reported well after it.
    await until('the others to report after the dark box', async () => (await lastOf(boxes[1].deviceId)) > (await lastOf(boxes[0].deviceId)) + 1500);
    const before = await lastOf(boxes[0].deviceId);
    // Time passes at the hub: 151 s beyond the dark box's last report. The others keep reporting.
    offset = before + 151_000 - Date.now();
    await until(
      'the others to report at the new time',
      async () =>
        (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM box_state WHERE last_report_at > $1`, [new Date(Date.now() + offset - 2000).toISOString()])).rows[0]
          .n >= 7,
    );
    const changes = await stack.hub.fleet.sweep();
    expect(changes.filter((c) => c.to === 'offline').map((c) => c.deviceId)).toEqual([boxes[0].deviceId]);
    const dark = (await listBoxes(stack.db, { q: boxes[0].deviceId })).boxes[0];
    expect(dark).toMatchObject({ state: 'offline', reason: 'silent' });
    expect(reasonText(dark, 'en')).toMatch(/^no report for 15\d s$/);
    // The filling disk crosses 10% after a few reports.
    const mine = async () =>
      (await stack.hub.alerts.list({ state: 'firing', region: '53' }))
        .filter((a) => a.subject.startsWith(`t${stack.runId}`))
        .map((a) => `${a.rule}:${a.subject}`)
        .sort();
    await until('the disk and clock alerts', async () => (await stack.hub.alerts.evaluate(), (await mine()).length >= 2));
    expect(await mine()).toEqual([`clock_skew:${boxes[4].deviceId}`, `disk_low:${boxes[3].deviceId}`].sort());
  });
});
