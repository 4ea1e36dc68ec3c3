import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import type { BoxStatusV2 } from '../contract/index.ts';
import { FleetState } from '../fleet-state/fleet-state.ts';
import { AlertEngine } from './engine.ts';
import { ZERO_TIME } from './alertmanager.ts';

const H = 3_600_000;
const report = (over: Partial<BoxStatusV2> = {}): BoxStatusV2 => ({
  v: 2,
  kind: 'status',
  at: '2026-12-03T00:00:00.000Z',
  hello: false,
  pending: 0,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: null,
  lastSyncAt: null,
  lastError: null,
  sw: '1.4.0',
  bootId: 'b1',
  uptimeS: 1000,
  uncleanStops: 0,
  disk: { free: 50, total: 100 },
  mem: { box: 1, relay: null },
  load: 0.1,
  dbBytes: 1,
  backup: { at: '2026-12-03T00:00:00.000Z', bytes: 10, ok: true },
  clock: { trusted: true, offsetMs: 0 },
  certExpiresAt: '2027-12-01T00:00:00.000Z',
  relay: { calls: 0, good: 0, restarts: 0 },
  queue: null,
  storage: 'ok',
  ...over,
});

describe('alerts (injected clock, a webhook receiver run by the test)', () => {
  let db: HubDb;
  // 01:00 UTC = 09:00 WITA: service hours in NTT.
  let t = Date.parse('2026-12-03T01:00:00Z');
  const now = () => new Date(t);
  let fleet: FleetState;
  let alerts: AlertEngine;
  let server: Server;
  const received: any[] = [];
  let failNext = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failNext) {
          failNext = false;
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    db = await openMemoryHubDatabase();
    for (let i = 1; i <= 6; i++)
      await db.query(`INSERT INTO devices (id, secret_hash, facility_code, region_code, created_at) VALUES ($1,'x',$2,'5301', $3)`, [
        `kpg-${i}`,
        `F${i}`,
        new Date(t - 100 * H).toISOString(),
      ]);
    fleet = new FleetState(db, pino({ level: 'silent' }), { now, sweepEveryMs: 0, flushEveryMs: 0 });
    alerts = new AlertEngine(db, pino({ level: 'silent' }), {
      now,
      evaluateEveryMs: 0,
      remindEveryMs: 4 * H,
      targetVersion: '1.4.0',
      externalUrl: 'http://hub.test',
      receiver: 'dinkes',
      webhooks: [`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`],
      lastReportAt: () => fleet.lastReportAt,
    });
  });
  afterAll(async () => {
    await alerts.close();
    await fleet.close();
    await db.close();
    await new Promise((r) => server.close(r));
  });

  const everyoneReports = async (over: Record<string, Partial<BoxStatusV2>> = {}, skip: string[] = []) => {
    for (let i = 1; i <= 6; i++) if (!skip.includes(`kpg-${i}`)) fleet.report(`kpg-${i}`, report(over[`kpg-${i}`]));
    await fleet.flush();
  };

  it('a healthy fleet raises nothing', async () => {
    await everyoneReports();
    expect(await alerts.evaluate()).toEqual({ fired: 0, resolved: 0, notified: 0 });
  });

  it('fires once per condition in Alertmanager webhook JSON, de-duplicated, and a failed delivery is retried', async () => {
    await everyoneReports({
      'kpg-1': { disk: { free: 5, total: 100 } },
      'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' },
      'kpg-3': { storage: 'corrupt', parked: 2 },
    });
    failNext = true;
    const first = await alerts.evaluate();
    expect(first.fired).toBe(5);
    expect(received).toHaveLength(5 - 1); // five rules, one message each; one refused by the receiver
    const again = await alerts.evaluate();
    expect(again.fired).toBe(0);
    expect(again.notified).toBe(1); // only the one that failed
    const all = received.flatMap((m) => m.alerts.map((a: any) => `${a.labels.alertname}:${a.labels.device}`)).sort();
    expect(all).toEqual(['clock_skew:kpg-2', 'disk_low:kpg-1', 'parked_records:kpg-3', 'software_behind:kpg-2', 'storage_corrupt:kpg-3']);
    const disk = received.find((m) => m.groupLabels.alertname === 'disk_low');
    expect(disk).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'dinkes',
      truncatedAlerts: 0,
      groupKey: '{}:{alertname="disk_low"}',
      externalURL: 'http://hub.test',
      commonLabels: { alertname: 'disk_low', severity: 'critical', device: 'kpg-1', region: '5301', province: '53' },
    });
    expect(disk.alerts[0]).toMatchObject({
      status: 'firing',
      endsAt: ZERO_TIME,
      startsAt: new Date(t).toISOString(),
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      generatorURL: expect.stringContaining('http://hub.test/alerts'),
    });
    expect(disk.alerts[0].annotations.summary).toMatch(/^Disk tersisa 5%.*\/ disk 5% free/);
  });

  it('reminds every N hours while it lasts, not before; a silence keeps it quiet until it expires', async () => {
    received.length = 0;
    t += H;
    await everyoneReports({
      'kpg-1': { disk: { free: 5, total: 100 } },
      'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' },
      'kpg-3': { storage: 'corrupt', parked: 2 },
    });
    expect((await alerts.evaluate()).notified).toBe(0);
    const s = await alerts.silence({ deviceId: 'kpg-3', reason: 'teknisi sedang ke lokasi', minutes: 5 * 60 }, 'tester');
    expect(s.endsAt).toBe(new Date(t + 5 * H).toISOString());
    t += 3.5 * H;
    await everyoneReports({
      'kpg-1': { disk: { free: 5, total: 100 } },
      'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' },
      'kpg-3': { storage: 'corrupt', parked: 2 },
    });
    await alerts.evaluate();
    expect(received.flatMap((m) => m.alerts.map((a: any) => a.labels.device)).sort()).toEqual(['kpg-1', 'kpg-2', 'kpg-2']);
    expect(
      (await alerts.list({ state: 'firing' }))
        .filter((a) => a.silenced)
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['parked_records', 'storage_corrupt']);
    received.length = 0;
    t += 1.5 * H; // the silence has expired: kpg-3's alerts are due
    await everyoneReports({
      'kpg-1': { disk: { free: 5, total: 100 } },
      'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' },
      'kpg-3': { storage: 'corrupt', parked: 2 },
    });
    await alerts.evaluate();
    expect(received.flatMap((m) => m.alerts.map((a: any) => `${a.labels.alertname}:${a.labels.device}`)).sort()).toEqual(['parked_records:kpg-3', 'storage_corrupt:kpg-3']);
  });

  it('resolves by itself when the condition ends, and says so once', async () => {
    received.length = 0;
    t += 60_000;
    await everyoneReports({ 'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' }, 'kpg-3': { storage: 'corrupt', parked: 2 } });
    const r = await alerts.evaluate();
    expect(r.resolved).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      status: 'resolved',
      alerts: [{ status: 'resolved', labels: { alertname: 'disk_low', device: 'kpg-1' }, endsAt: new Date(t).toISOString() }],
    });
    received.length = 0;
    await alerts.evaluate();
    expect(received).toHaveLength(0);
  });

  it('per-box and per-region thresholds: the most specific wins', async () => {
    await alerts.setThreshold({ rule: 'clock_skew', scope: 'box:kpg-2', threshold: 600 });
    t += 60_000;
    await everyoneReports({ 'kpg-2': { clock: { trusted: false, offsetMs: 300_000 }, sw: '1.3.9' }, 'kpg-3': { storage: 'corrupt', parked: 2 } });
    expect((await alerts.evaluate()).resolved).toBe(1);
    await alerts.setThreshold({ rule: 'parked_records', scope: '53', threshold: null, enabled: false });
    t += 60_000;
    await everyoneReports({ 'kpg-2': { sw: '1.3.9' }, 'kpg-3': { storage: 'corrupt', parked: 2 } });
    await alerts.evaluate();
    expect((await alerts.list({ state: 'firing' })).map((a) => a.rule).sort()).toEqual(['software_behind', 'storage_corrupt']);
  });

  it('a box offline in service hours longer than N minutes, and a district with over 10% of its boxes offline', async () => {
    await everyoneReports({}, ['kpg-5']);
    await alerts.evaluate(); // kpg-2 and kpg-3 healthy again: their alerts resolve
    received.length = 0;
    t += 2.5 * 60_000;
    await everyoneReports({}, ['kpg-5']);
    await fleet.sweep();
    t += 20 * 60_000;
    await everyoneReports({}, ['kpg-5']);
    await fleet.sweep();
    await alerts.evaluate();
    expect(received.map((m) => `${m.groupLabels.alertname}:${m.status}`)).toEqual(['region_offline_share:firing']);
    expect(received[0].alerts[0]).toMatchObject({ labels: { alertname: 'region_offline_share', region: '5301' } });
    expect(received[0].alerts[0].labels.device).toBeUndefined();
    t += 35 * 60_000; // offline 35 min > 30
    await everyoneReports({}, ['kpg-5']);
    await alerts.evaluate();
    expect(received.map((m) => m.groupLabels.alertname)).toContain('box_offline');
    // After service hours (17:00 WITA = 09:00 UTC) the box_offline alert resolves; the district's stays.
    t = Date.parse('2026-12-03T10:00:00Z');
    await everyoneReports({}, ['kpg-5']);
    await alerts.evaluate();
    expect((await alerts.list({ state: 'firing' })).map((a) => a.rule)).not.toContain('box_offline');
  });

  it('the hub watches itself: no report from any box for 5 minutes raises hub_not_receiving', async () => {
    received.length = 0;
    t += 6 * 60_000;
    await alerts.evaluate();
    expect(received.map((m) => m.groupLabels.alertname)).toContain('hub_not_receiving');
  });
});
