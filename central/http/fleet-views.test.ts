import { describe, expect, it } from 'vitest';
import type { BoxStatus } from '../contract/index.ts';
import type { BoxDetail } from '../fleet-state/box-detail.ts';
import { healthRows } from './fleet-views.ts';

const NOW = Date.parse('2026-12-03T03:00:00Z');
const v2 = (over: Partial<Extract<BoxStatus, { v: 2 }>> = {}): BoxStatus => ({
  v: 2,
  kind: 'status',
  at: '2026-12-03T02:59:00.000Z',
  hello: false,
  pending: 0,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: null,
  lastSyncAt: null,
  lastError: null,
  sw: '1.4.2',
  bootId: 'ab12',
  uptimeS: 90,
  uncleanStops: 0,
  disk: { free: 20e9, total: 32e9 },
  mem: { box: 100 * 1_048_576, relay: null },
  load: 0.1,
  dbBytes: null,
  backup: { at: '2026-12-03T01:00:00.000Z', bytes: 1_048_576, ok: true },
  clock: { trusted: true, offsetMs: 0 },
  certExpiresAt: '2027-03-01T00:00:00.000Z',
  relay: null,
  queue: null,
  storage: 'ok',
  ...over,
});
const box = (lastStatus: BoxStatus | null): BoxDetail => ({
  id: 'box-1',
  facilityCode: 'P5301',
  name: 'Puskesmas',
  regionCode: '5301',
  regionName: null,
  tags: [],
  state: 'online',
  reason: 'reporting',
  since: null,
  lastReportAt: '2026-12-03T02:59:00.000Z',
  lastStatus,
});
const flagged = (s: BoxStatus) =>
  healthRows(box(s), 'en', NOW)
    .filter((r) => r.warn)
    .map((r) => r.key);

describe('a box’s health rows', () => {
  it('a healthy box: every figure, none flagged', () => {
    const rows = healthRows(box(v2()), 'en', NOW);
    expect(rows.map((r) => r.key)).toEqual(['lastReport', 'backlog', 'version', 'uptime', 'disk', 'memory', 'clock', 'cert', 'backup', 'storage']);
    expect(rows.filter((r) => r.warn)).toEqual([]);
    expect(rows.find((r) => r.key === 'memory')?.value).toBe('100 MB / —');
  });

  it('flags what the alert rules would: low disk, skewed or untrusted clock, expiring certificate, failed or old backup, parked records, storage', () => {
    expect(flagged(v2({ disk: { free: 1e9, total: 32e9 } }))).toEqual(['disk']);
    expect(flagged(v2({ clock: { trusted: true, offsetMs: 300_000 } }))).toEqual(['clock']);
    expect(flagged(v2({ clock: { trusted: false, offsetMs: null } }))).toEqual(['clock']);
    expect(flagged(v2({ certExpiresAt: '2026-12-20T00:00:00.000Z' }))).toEqual(['cert']);
    expect(flagged(v2({ backup: { at: '2026-11-30T00:00:00.000Z', bytes: 1, ok: true } }))).toEqual(['backup']);
    expect(flagged(v2({ backup: null }))).toEqual(['backup']);
    expect(flagged(v2({ parked: 2 }))).toEqual(['backlog']);
    expect(flagged(v2({ storage: 'corrupt' }))).toEqual(['storage']);
  });

  it('a box that never reported shows its last report as none; a v1 report its backlog only', () => {
    expect(healthRows(box(null), 'id', NOW).map((r) => [r.key, r.value])).toEqual([['lastReport', '2026-12-03 02:59 UTC']]);
    const v1: BoxStatus = {
      v: 1,
      kind: 'status',
      at: '2026-12-03T02:59:00.000Z',
      hello: false,
      pending: 4,
      parked: 0,
      bytesPending: 9,
      oldestPendingAgeSeconds: 7200,
      lastSyncAt: null,
      lastError: null,
    };
    expect(healthRows(box(v1), 'id', NOW).map((r) => r.value)).toEqual(['2026-12-03 02:59 UTC', '4 menunggu, 0 diparkir, tertua 0 hari 2 jam 0 menit']);
  });
});
