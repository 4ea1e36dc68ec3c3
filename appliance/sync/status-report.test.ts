import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeStatusFrame, boxStatus, FORMAT_DEFLATE_DICT_V1, type BoxStatusV1 } from '../../central/contract/index.ts';
import { clinicFixture } from '../clinic/testing.ts';
import { buildStatusReport, defaultStatusSources } from './status-report.ts';
import type { SyncStats } from './backlog.ts';

const stats: SyncStats = {
  pending: 12,
  parked: 1,
  bytesPending: 4096,
  oldestPendingAgeSeconds: 320.4,
  enabled: true,
  connected: true,
  deviceId: 'box-1',
  lastSyncAt: '2026-12-03T01:00:00.000Z',
  lastError: null,
  lastErrorAt: null,
  recordsDelivered: 0,
  batchesSent: 0,
  bytesSent: 0,
  reconnects: 0,
  downlinkApplied: 0,
} as SyncStats;

describe('box status v2', () => {
  let fx: Awaited<ReturnType<typeof clinicFixture>>;
  beforeAll(async () => {
    fx = await clinicFixture();
  });
  afterAll(() => fx.close());

  it('is built from the box database, disk and process, validates, and is a few hundred bytes on the wire', async () => {
    const src = defaultStatusSources(fx.db, '/tmp', {
      backup: async () => ({ at: '2026-12-02T15:00:00.000Z', bytes: 52_428_800, ok: true }),
      certExpiresAt: () => '2027-11-01T00:00:00.000Z',
      clock: () => ({ trusted: true, offsetMs: -420 }),
      memory: async () => ({ box: 150_000_000, relay: 60_000_000 }),
    });
    const r = await buildStatusReport(src, stats, { hello: false, now: new Date('2026-12-03T02:00:00Z') });
    expect(boxStatus.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({ v: 2, pending: 12, parked: 1, storage: 'ok', clock: { trusted: true, offsetMs: -420 }, relay: { calls: 0 }, queue: { tickets: expect.any(Number) } });
    expect(r.dbBytes).toBeGreaterThan(0);
    expect(r.disk.total).toBeGreaterThan(0);
    // What a box sends: plain JSON, 680 bytes for a full report (381 deflated, as boxes before it sent: still read).
    const frame = encodeStatusFrame(r);
    expect(frame[0]).toBe(0x7b);
    expect(frame.length).toBeLessThan(1000);
    const back = decodeFrame('status', frame);
    expect(back.ok && back.message).toEqual(r);
    const old = encodeFrame(r);
    expect(old[0]).toBe(FORMAT_DEFLATE_DICT_V1);
    expect(old.length).toBeLessThan(600);
    const oldBack = decodeFrame('status', old);
    expect(oldBack.ok && oldBack.message).toEqual(r);
  });

  it('says disk_low below 10% free, corrupt before that, and carries urgent events once', async () => {
    const low = defaultStatusSources(fx.db, '/tmp', { disk: async () => ({ free: 5, total: 100 }) });
    expect((await buildStatusReport(low, stats, { hello: false, now: new Date(), events: ['disk_low', 'disk_low'] })).events).toEqual(['disk_low']);
    expect((await buildStatusReport(low, stats, { hello: false, now: new Date() })).storage).toBe('disk_low');
    const bad = defaultStatusSources(fx.db, '/tmp', { disk: async () => ({ free: 5, total: 100 }), corrupt: () => true });
    expect((await buildStatusReport(bad, stats, { hello: false, now: new Date() })).storage).toBe('corrupt');
  });

  it('a failing source gives null, not a lost report', async () => {
    const src = defaultStatusSources(fx.db, '/tmp', {
      dbBytes: async () => {
        throw new Error('x');
      },
      queue: async () => {
        throw new Error('y');
      },
    });
    const r = await buildStatusReport(src, stats, { hello: true, now: new Date() });
    expect(r.dbBytes).toBeNull();
    expect(r.queue).toBeNull();
    expect(boxStatus.safeParse(r).success).toBe(true);
  });

  it('old v1 boxes are still accepted', () => {
    const v1: BoxStatusV1 = {
      v: 1,
      kind: 'status',
      at: '2026-12-03T02:00:00.000Z',
      hello: true,
      pending: 0,
      parked: 0,
      bytesPending: 0,
      oldestPendingAgeSeconds: null,
      lastSyncAt: null,
      lastError: null,
    };
    expect(decodeFrame('status', encodeFrame(v1)).ok).toBe(true);
    expect(decodeFrame('status', encodeFrame({ ...v1, v: 3 })).ok).toBe(false);
  });
});
