/**
 * A newer hub sends an item an older box does not know (a new kind of downlink item, as
 * `release_withdrawal` was): the box refuses that item alone, acknowledging it as rejected so the
 * hub stops resending it, and applies the rest of the batch. Before, the whole batch failed the
 * box's schema and every item in it was resent for ever.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHospitals } from '../appliance/clinic/hospitals.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync } from '../appliance/sync/index.ts';
import { encodeFrame, topics } from '../central/contract/index.ts';
import { quietLog, startStack, type Stack } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

describe('a downlink item this box does not know', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('embedded+pglite');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is refused alone (acknowledged as rejected, naming its kind); the batch around it is applied', async () => {
    const { deviceId, secret } = await stack.enrol('compat');
    const box = new GroupCommitDb(await openMemoryDatabase());
    const sync = await startSync({
      db: box,
      log: quietLog(),
      config: { mqttUrl: stack.mqttUrl, deviceId, deviceSecret: secret, facility: { code: '0112P001' }, timeZone: 'Asia/Makassar', syncPollMs: 50, syncStatusIntervalMs: 300 },
    });
    try {
      await until('the box to connect', async () => (await sync.stats()).connected);
      const future = randomUUID();
      const malformed = randomUUID();
      const hospitals = randomUUID();
      const frame = encodeFrame({
        v: 1,
        kind: 'down',
        items: [
          { id: future, kind: 'clinic_notice', text: 'Rapat hari Senin' },
          { id: malformed, kind: 'hospitals', version: 'one' },
          { id: hospitals, kind: 'hospitals', version: 1, items: [{ code: '5301R001', name: 'RSUD Prof. Dr. W. Z. Johannes', specialties: ['Anak'], acceptsEmergency: true }] },
        ],
      });
      // Sent as a newer hub would: straight onto the box's downlink topic.
      await (stack.hub.downlink as unknown as { publish: (t: string, f: Buffer) => Promise<void> }).publish(topics.down(deviceId), frame);
      await until('the hospital list applied', async () => (await listHospitals(box)).length === 1);
      const inbox = await box.query<{ id: string; outcome: string; reason: string | null }>(`SELECT id, outcome, reason FROM sync_inbox ORDER BY id`);
      const byId = new Map(inbox.rows.map((r) => [r.id, r]));
      expect(byId.get(hospitals)).toMatchObject({ outcome: 'applied' });
      expect(byId.get(future)).toMatchObject({ outcome: 'rejected' });
      expect(byId.get(future)?.reason).toContain('clinic_notice');
      expect(byId.get(malformed)).toMatchObject({ outcome: 'rejected' });
      expect(byId.get(malformed)?.reason).toContain('version');
    } finally {
      await sync.close();
      await box.close();
    }
  });
});
