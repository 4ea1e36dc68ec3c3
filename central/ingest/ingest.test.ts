/**
 * The hub's status path (a hub on PGlite, reports handed to `hub.ingest.handle` as its MQTT
 * client would): what an older box sends is still read, a status costs no single-row query once
 * the box is known and nothing waits for it, and a revocation still takes effect at once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, encodeStatusFrame, FORMAT_DEFLATE_DICT_V1, type BoxStatusV1, type BoxStatusV2 } from '../contract/index.ts';
import { enrolDevice, revokeDevice } from '../fleet/devices.ts';
import { requestResend } from '../downlink/downlink.ts';
import { startHub, type Hub } from '../hub.ts';
import { openMemoryHubDatabase, type HubDb } from '../storage/db.ts';
import { quietLog } from '../testing/stack.ts';

const status = (over: Partial<BoxStatusV2> = {}): BoxStatusV2 => ({
  v: 2,
  kind: 'status',
  at: new Date().toISOString(),
  hello: false,
  pending: 3,
  parked: 0,
  bytesPending: 0,
  oldestPendingAgeSeconds: 12,
  lastSyncAt: null,
  lastError: null,
  sw: '0.1.0',
  bootId: 'ab12-cd34',
  uptimeS: 60,
  uncleanStops: 0,
  disk: { free: 30, total: 64 },
  mem: { box: 160, relay: null },
  load: 0.4,
  dbBytes: null,
  backup: null,
  clock: { trusted: true, offsetMs: null },
  certExpiresAt: null,
  relay: null,
  queue: null,
  storage: 'ok',
  ...over,
});

/** The database, with every single query (outside transactions) it is asked written down with its parameters. */
function counting(db: HubDb, asked: string[]): HubDb {
  return new Proxy(db, {
    get(t, k) {
      if (k === 'query') return (sql: string, params?: unknown[]) => (asked.push(`${sql} ${JSON.stringify(params ?? [])}`), t.query(sql, params));
      const v = Reflect.get(t, k, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

describe('the hub’s status path', () => {
  let raw: HubDb;
  let hub: Hub;
  const asked: string[] = [];
  const adminToken = randomBytes(18).toString('base64url');
  const reports = async (deviceId: string) => (await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_raw WHERE device_id = $1`, [deviceId])).rows[0].n;
  const refused = () => hub.ingest.invalid.get('status') ?? 0;

  beforeAll(async () => {
    raw = await openMemoryHubDatabase();
    hub = await startHub(
      { httpPort: 0, httpHost: '127.0.0.1', brokerPort: 0, brokerHost: '127.0.0.1', logLevel: 'silent', adminToken, resendAfterMs: 500 },
      { db: counting(raw, asked), log: quietLog(), fleet: { sweepEveryMs: 0, flushEveryMs: 0 }, alerts: { evaluateEveryMs: 0 }, rolloutEveryMs: 0 },
    );
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await raw?.close();
  });

  it('reads plain JSON status and the dictionary-deflate frames of older boxes, v2 and v1', async () => {
    const { deviceId } = await enrolDevice(raw, { facilityCode: '0112P001', deviceId: 'old-and-new' });
    const v1: BoxStatusV1 = {
      v: 1,
      kind: 'status',
      at: new Date().toISOString(),
      hello: false,
      pending: 7,
      parked: 0,
      bytesPending: 0,
      oldestPendingAgeSeconds: null,
      lastSyncAt: null,
      lastError: null,
    };
    const frames = [encodeStatusFrame(status({ pending: 1 })), encodeFrame(status({ pending: 2 })), encodeFrame(v1)];
    expect(frames.map((f) => f[0])).toEqual([0x7b, FORMAT_DEFLATE_DICT_V1, FORMAT_DEFLATE_DICT_V1]);
    for (const f of frames) {
      await hub.ingest.handle(deviceId, 'status', f);
      await hub.fleet.flush();
    }
    expect(refused()).toBe(0);
    expect(await reports(deviceId)).toBe(3);
    const { rows } = await raw.query<{ s: { v: number; pending: number } }>(`SELECT last_status AS s FROM devices WHERE id = $1`, [deviceId]);
    expect(rows[0].s).toMatchObject({ v: 1, pending: 7 });
  });

  it('a known box with nothing waiting costs no single-row query per status; something queued elsewhere goes out at its next status', async () => {
    const { deviceId } = await enrolDevice(raw, { facilityCode: '0112P001', deviceId: 'quiet-box' });
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status({ hello: true })));
    await hub.downlink.refreshPending();
    asked.length = 0;
    await hub.fleet.flush();
    for (let i = 0; i < 3; i++) {
      await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status({ pending: i })));
      await hub.fleet.flush();
    }
    // The hub's timers (revocations, what waits, job expiry) read the whole fleet, never this box by name.
    expect(asked.filter((q) => q.includes(deviceId))).toEqual([]);
    expect(await reports(deviceId)).toBe(4);

    // Queued by another process (the CLI, another hub): seen at the next read of what waits.
    const id = await requestResend(raw, deviceId, 1);
    await hub.downlink.refreshPending();
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    const sent = await raw.query<{ send_count: number }>(`SELECT send_count FROM downlink WHERE id = $1`, [id]);
    expect(sent.rows[0].send_count).toBe(1);
  });

  it('a box enrolled after the hub started is read at its first report', async () => {
    const { deviceId } = await enrolDevice(raw, { facilityCode: '0112P001', deviceId: 'late-comer' });
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    await hub.fleet.flush();
    expect(await reports(deviceId)).toBe(1);
  });

  it('revoked through the hub: its next status is refused at once', async () => {
    const { deviceId } = await enrolDevice(raw, { facilityCode: '0112P001', deviceId: 'revoked-here' });
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    const before = refused();
    const res = await fetch(`${hub.url}/admin/devices/${deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBeLessThan(300);
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    await hub.ingest.handle(deviceId, 'status', encodeFrame(status()));
    await hub.fleet.flush();
    expect(refused()).toBe(before + 2);
    expect(await reports(deviceId)).toBe(1);
  });

  it('revoked elsewhere (the CLI): refused from the next read of the registry on', async () => {
    const { deviceId } = await enrolDevice(raw, { facilityCode: '0112P001', deviceId: 'revoked-by-cli' });
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    await revokeDevice(raw, deviceId);
    await hub.ingest.devices.refresh();
    const before = refused();
    await hub.ingest.handle(deviceId, 'status', encodeStatusFrame(status()));
    expect(refused()).toBe(before + 1);
  });
});
