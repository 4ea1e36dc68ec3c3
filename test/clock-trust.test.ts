/**
 * The box's clock after a power cut on a box with no clock battery: injected system and monotonic
 * clocks, the real database and floor file.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { Queue } from '../appliance/clinic/queue.ts';
import { appendOutbox, outboxClockTrust, readWireRecords } from '../appliance/clinic/outbox.ts';
import { databaseClockFloor, saveDatabaseClockFloor } from '../appliance/clinic/clock-floor.ts';
import { testSettings } from '../appliance/clinic/testing.ts';
import { generateRecords } from '../central/testing/records.ts';
import { openMemoryHubDatabase } from '../central/storage/db.ts';
import { storeBatch } from '../central/ingest/store.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { clockReport, installBoxClock, MAX_OFFSET_MS, TrustedClock } from '../appliance/clock/trusted-clock.ts';

const settings = testSettings({ timeZone: 'Asia/Makassar' });
const BROKEN = Date.parse('2020-01-01T00:00:05Z'); // what a Pi without its clock battery says after a power cut

describe('a clock the box can trust', () => {
  let dir: string;
  let db: GroupCommitDb;
  let mono = 0;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simpul-clock-'));
    db = new GroupCommitDb(await openMemoryDatabase());
    mono = 0;
  });
  afterEach(async () => {
    outboxClockTrust(() => true);
    installBoxClock(null);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const openClock = async (systemNow: () => number) =>
    TrustedClock.open({ floorFile: join(dir, 'clock-floor'), databaseFloor: await databaseClockFloor(db), systemNow, monotonicNow: () => mono });
  const save = async (c: TrustedClock) => saveDatabaseClockFloor(db, await c.saveFloor());

  it('a new box trusts its clock; the floor file is written 0600 and only ever goes up', async () => {
    const t0 = Date.parse('2026-12-03T01:00:00Z');
    let sys = t0;
    const c = await openClock(() => sys);
    expect(c.report()).toEqual({ trusted: true, offsetMs: null, floor: null });
    expect(clockReport()).toEqual({ trusted: true, offsetMs: null, floor: null }); // no box clock installed
    await save(c);
    expect(statSync(join(dir, 'clock-floor')).mode & 0o777).toBe(0o600);
    sys = t0 - 30_000; // NTP slews back half a minute: still trusted, the floor stays
    expect(c.trusted).toBe(true);
    await save(c);
    expect((await databaseClockFloor(db))!.getTime()).toBe(t0);
  });

  it('boots at 2020-01-01 after a day of records: not trusted, the clinic day and queue numbers carry on, records are flagged and the hub keeps the flag', async () => {
    // Day 1, a good clock (the outbox's own times are the machine's real clock: that is "now").
    const day1 = Date.now();
    const c1 = await openClock(() => day1);
    const q1 = new Queue(db, settings, () => c1.now());
    for (let i = 0; i < 3; i++) await q1.take({ poli: 'umum', source: 'desk' });
    const recs = generateRecords(2, { seed: 7 });
    await db.transaction(async (tx) => appendOutbox(tx, { ...recs[0] } as never));
    await save(c1);
    const today = q1.today();

    // Power cut; the box boots with its clock at 2020-01-01, one minute of uptime later.
    mono = 60_000;
    const c2 = await openClock(() => BROKEN);
    installBoxClock(c2);
    expect(c2.trusted).toBe(false);
    expect(clockReport()).toMatchObject({ trusted: false, offsetMs: null });
    expect(Date.parse(clockReport().floor!)).toBeGreaterThanOrEqual(day1);
    // The box's time runs on from the floor, not from 2020.
    expect(c2.now().getTime()).toBeGreaterThanOrEqual(day1);
    const q2 = new Queue(db, settings, () => c2.now());
    expect(q2.today()).toBe(today);
    expect(await q2.closePastDays()).toBe(0); // the day is not closed, and no older day is reopened
    const { ticket } = await q2.take({ poli: 'umum', source: 'desk' });
    expect(ticket.day).toBe(today);
    expect(ticket.number).toBe(4); // no number given twice

    // A record written now carries the flag, on the wire and at the hub.
    outboxClockTrust(() => c2.trusted);
    await db.transaction(async (tx) => appendOutbox(tx, { ...recs[1] } as never));
    const wire = JSON.parse((await readWireRecords(db, [1, 2]))!);
    expect(wire[0].ut).toBeUndefined();
    expect(wire[1].ut).toBe(true);
    const hub = await openMemoryHubDatabase();
    try {
      const { deviceId } = await enrolDevice(hub, { facilityCode: '0112P001', deviceId: 'box-clock' });
      const batch = { v: 1 as const, kind: 'records' as const, batch: 'b1', records: wire };
      const res = await storeBatch(hub, deviceId, batch, JSON.stringify(batch));
      expect(res.ack.rejected).toEqual([]);
      const stored = await hub.query<{ box_seq: number; clock_untrusted: boolean }>(`SELECT box_seq::int, clock_untrusted FROM records ORDER BY box_seq`);
      expect(stored.rows).toEqual([
        { box_seq: 1, clock_untrusted: false },
        { box_seq: 2, clock_untrusted: true },
      ]);
    } finally {
      await hub.close();
    }

    // The hub answers: its time is the box's time now; still not trusted while the system clock is years off.
    const hubNow = day1 + 90_000;
    c2.recordOffset(hubNow - BROKEN);
    expect(c2.now().getTime()).toBe(hubNow);
    expect(c2.report()).toMatchObject({ trusted: false, offsetMs: hubNow - BROKEN });
    // NTP sets the system clock; the hub agrees: trusted again.
    c2.recordOffset(MAX_OFFSET_MS - 1);
    expect(c2.trusted).toBe(true);
  });

  it('the floor file alone is enough (a database restored from an older backup)', async () => {
    writeFileSync(join(dir, 'clock-floor'), '2026-12-03T05:00:00.000Z\n');
    const c = await openClock(() => BROKEN);
    expect(c.report()).toEqual({ trusted: false, offsetMs: null, floor: '2026-12-03T05:00:00.000Z' });
    mono = 5_000;
    expect(c.now().toISOString()).toBe('2026-12-03T05:00:05.000Z');
  });
});
