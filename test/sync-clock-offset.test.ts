/**
 * The box measures its clock's offset from the hub on connect (a time request the hub answers at
 * once) and gives it to its clock: near zero on one machine, and the hub's time when the box's
 * system clock is years behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync } from '../appliance/sync/index.ts';
import { TrustedClock } from '../appliance/clock/trusted-clock.ts';
import { quietLog, startStack, type Stack, type StackKind } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

const stacks: StackKind[] = ['embedded+pglite', 'mosquitto+postgres'];

describe.each(stacks)('clock offset on %s', (kind) => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'simpul-offset-'));
  beforeAll(async () => {
    stack = await startStack(kind);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a box whose clock says 2020 learns the hub’s time from one round trip', async () => {
    const cred = await stack.enrol();
    const skew = Date.now() - Date.parse('2020-01-01T00:00:00Z');
    const clock = await TrustedClock.open({ floorFile: join(dir, `floor-${kind}`), databaseFloor: new Date(), systemNow: () => Date.now() - skew });
    expect(clock.trusted).toBe(false);
    const box = new GroupCommitDb(await openMemoryDatabase());
    const sync = await startSync({
      db: box,
      log: quietLog(),
      clock,
      config: {
        mqttUrl: stack.mqttUrl,
        deviceId: cred.deviceId,
        deviceSecret: cred.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Jakarta',
        syncPollMs: 50,
        syncStatusIntervalMs: 600_000,
      },
    });
    try {
      // The box's messages carry its system clock (2020); the hub's answer carries the real time.
      const report = await until('an offset measured', () => (clock.report().offsetMs !== null ? clock.report() : null));
      expect(Math.abs(report.offsetMs! - skew)).toBeLessThan(5_000);
      expect(report.trusted).toBe(false); // the system clock is still years off
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      await sync.close();
      await box.close();
    }
  });
});
