/**
 * Box ↔ hub sync on real brokers and databases: the hub's embedded Aedes + PGlite, and the
 * machine's Mosquitto (127.0.0.1:1883) + PostgreSQL (127.0.0.1:5432). The link is taken down
 * with a user-space TCP proxy between box and broker.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendOutbox, onContractBreach, type OutboxEntry } from '../appliance/clinic/outbox.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { seedDemo } from '../appliance/clinic/demo.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { issueReferral } from '../appliance/clinic/referrals.ts';
import type { ClinicSettings } from '../appliance/clinic/settings.ts';
import { listParked, startSync, unpark, type Sync } from '../appliance/sync/index.ts';
import { Registry } from 'prom-client';
import { registerSyncMetrics } from '../appliance/http/metrics.ts';
import { requestResend } from '../central/downlink/downlink.ts';
import type { RecordBatch } from '../central/contract/index.ts';
import { generateRecords } from '../central/testing/records.ts';
import { quietLog, startStack, type Stack, type StackKind } from '../central/testing/stack.ts';
import { sleep, until } from './support/wait.ts';
import { startTcpProxy, type TcpProxy } from '../central/testing/tcp-proxy.ts';

const settings: ClinicSettings = {
  timeZone: 'Asia/Jakarta',
  serviceEndsAt: '24:00',
  referralValidDays: 90,
  defaultServiceMinutes: 10,
  facility: { code: '0112P001', name: 'Puskesmas Uji' },
  polis: [{ code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1'] }],
};

async function writeRecords(db: GroupCommitDb, n: number, seed: number, perTx = 25) {
  const recs = generateRecords(n, { seed });
  for (let i = 0; i < recs.length; i += perTx) {
    await db.transaction(async (tx) => {
      for (const r of recs.slice(i, i + perTx)) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
    });
  }
  return recs;
}

const stacks: StackKind[] = ['embedded+pglite', 'mosquitto+postgres'];

describe.each(stacks)('sync on %s', (kind) => {
  let stack: Stack;
  let proxy: TcpProxy;
  let box: GroupCommitDb;
  let sync: Sync | null = null;
  const arrivals: RecordBatch[] = [];
  const hooks = { afterCommit: (_d: string, b: RecordBatch) => void arrivals.push(b) };

  // One hub per stack (PGlite takes seconds to start); every test enrols a box of its own.
  beforeAll(async () => {
    stack = await startStack(kind, hooks);
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    arrivals.length = 0;
    const u = new URL(stack.mqttUrl);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
    box = new GroupCommitDb(await openMemoryDatabase());
  });
  afterEach(async () => {
    await sync?.close();
    sync = null;
    await proxy.close();
    await box.close();
  });

  const boxSync = async (cred: { deviceId: string; secret: string }, extra: Record<string, unknown> = {}) =>
    startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: proxy.url,
        deviceId: cred.deviceId,
        deviceSecret: cred.secret,
        facility: settings.facility,
        timeZone: settings.timeZone,
        syncPollMs: 50,
        syncAckTimeoutMs: 2000,
        syncBackoffMinMs: 50,
        syncBackoffMaxMs: 400,
        syncStatusIntervalMs: 300,
        ...extra,
      },
    });

  const hubCount = async (deviceId: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE device_id = $1`, [deviceId])).rows[0].n;

  it('records created while the link is down arrive once, in order, after it comes back', async () => {
    const cred = await stack.enrol();
    proxy.cut();
    sync = await boxSync(cred);
    const recs = await writeRecords(box, 400, 11);
    await sleep(300);
    expect(await hubCount(cred.deviceId)).toBe(0);
    expect((await sync.stats()).pending).toBe(400);

    proxy.restore();
    await until('the backlog to drain', async () => (await sync!.stats()).pending === 0);
    const { rows } = await stack.db.query<{ box_seq: string; type: string; entity_id: string; entity_version: number }>(
      `SELECT box_seq::text, type, entity_id, entity_version FROM records WHERE device_id = $1 ORDER BY box_seq`,
      [cred.deviceId],
    );
    const outbox = await box.query<{ seq: string; type: string; entity_id: string; entity_version: number }>(
      `SELECT seq::text, type, entity_id, entity_version FROM outbox ORDER BY seq`,
    );
    expect(rows.map((r) => [r.box_seq, r.type, r.entity_id, r.entity_version])).toEqual(outbox.rows.map((r) => [r.seq, r.type, r.entity_id, r.entity_version]));
    // Per entity, versions arrive in the order they were made: each at its first arrival (a batch
    // whose ack was late is sent again and committed again as a no-op; the rows above show it is not doubled).
    const byEntity = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const b of arrivals)
      for (const r of b.records) {
        const key = `${r.type}|${r.entity}`;
        if (seen.has(`${key}|${r.ev}`)) continue;
        seen.add(`${key}|${r.ev}`);
        byEntity.set(key, [...(byEntity.get(key) ?? []), r.ev]);
      }
    for (const [, vs] of byEntity) expect(vs).toEqual([...vs].sort((a, b) => a - b));
    // The hub holds the newest version of each entity.
    const newest = new Map<string, number>();
    for (const r of recs) newest.set(`${r.type}|${r.entityId}`, Math.max(newest.get(`${r.type}|${r.entityId}`) ?? 0, r.entityVersion));
    const ents = await stack.db.query<{ type: string; entity_id: string; version: number }>(`SELECT type, entity_id, version FROM entities WHERE device_id = $1`, [cred.deviceId]);
    expect(new Map(ents.rows.map((e) => [`${e.type}|${e.entity_id}`, e.version]))).toEqual(newest);
    const st = await sync.stats();
    expect(st.lastSyncAt).not.toBeNull();
    expect(st.oldestPendingAgeSeconds).toBeNull();
    // The hub saw the box's status.
    await until(
      'status',
      async () => (await stack.db.query<{ s: { pending: number } | null }>(`SELECT last_status AS s FROM devices WHERE id = $1`, [cred.deviceId])).rows[0].s?.pending === 0,
    );
  });

  it('a hub restart between its commit and its ack causes no duplicate', async () => {
    const cred = await stack.enrol();
    let dropped!: () => void;
    const droppedAck = new Promise<void>((r) => (dropped = r));
    await stack.restartHub({
      afterCommit: () => {
        dropped();
        throw new Error('hub dies before acknowledging');
      },
    });
    sync = await boxSync(cred, { syncBatchMaxRecords: 50 });
    await writeRecords(box, 120, 12);
    await droppedAck;
    expect(await hubCount(cred.deviceId)).toBeGreaterThan(0);
    expect((await sync.stats()).pending).toBe(120);
    await stack.restartHub();
    await until('the backlog to drain after the restart', async () => (await sync!.stats()).pending === 0);
    expect(await hubCount(cred.deviceId)).toBe(120);
    const dup = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT box_seq FROM records WHERE device_id = $1 GROUP BY box_seq HAVING count(*) > 1) d`, [
      cred.deviceId,
    ]);
    expect(dup.rows[0].n).toBe(0);
  });

  it('an invalid record is parked with the reason and does not block the records behind it', async () => {
    const cred = await stack.enrol();
    // As the box in production writes it: kept despite the contract (the test default refuses it).
    onContractBreach(() => {});
    try {
      await box.transaction(async (tx) =>
        appendOutbox(tx, { type: 'referral', entityId: 'not-a-referral', entityVersion: 1, payload: { hello: 'world' } } as unknown as OutboxEntry),
      );
    } finally {
      onContractBreach('throw');
    }
    await writeRecords(box, 30, 13);
    sync = await boxSync(cred, { syncBatchMaxRecords: 10 });
    await until('the valid records to arrive', async () => (await sync!.stats()).pending === 0);
    expect(await hubCount(cred.deviceId)).toBe(30);
    const parked = await listParked(box);
    expect(parked).toHaveLength(1);
    expect(parked[0].reason).toMatch(/referral payload invalid/);
    expect((await sync.stats()).parked).toBe(1);
    const metrics = await (await stack.hubFetch('/metrics')).text();
    // Aggregates only (no label per box; the hub's stack is shared by this file's tests).
    expect(metrics).toMatch(/^simpul_hub_records_rejected_total\{type="referral"\} [1-9]\d*$/m);
    expect(metrics).not.toContain(cred.deviceId);
    const boxMetrics = new Registry();
    registerSyncMetrics(boxMetrics, sync);
    expect(await boxMetrics.metrics()).toMatch(/simpul_outbox_parked 1/);

    // Released by a person, it is sent again; still invalid, it is parked again, and only it moved.
    const sentBefore = (await sync.stats()).recordsDelivered;
    expect(await unpark(box, parked[0].seq)).toBe(true);
    expect(await unpark(box, parked[0].seq)).toBe(false);
    sync.kick();
    await until('the released record to be rejected and parked again', async () => (await listParked(box))[0]?.parkedAt > parked[0].parkedAt);
    expect((await sync.stats()).parked).toBe(1);
    expect((await sync.stats()).recordsDelivered).toBe(sentBefore);

    // The hub lost records and asks for everything again: all come back, none doubled, the parked one stays parked.
    await requestResend(stack.db, cred.deviceId, 1);
    await stack.hub.downlink.sendPending(cred.deviceId, true);
    await until('the 30 records to be sent again', async () => (await sync!.stats()).recordsDelivered === sentBefore + 30);
    expect(await hubCount(cred.deviceId)).toBe(30);
    expect((await sync.stats()).parked).toBe(1);
    expect((await sync.stats()).pending).toBe(0);
  });

  it('referrals and prescriptions go before bulk daily figures', async () => {
    const cred = await stack.enrol();
    await box.transaction(async (tx) => {
      for (let d = 1; d <= 30; d++) {
        await appendOutbox(tx, {
          type: 'queue_daily_figures',
          entityId: `2025-04-${String(d).padStart(2, '0')}|umum`,
          entityVersion: 1,
          payload: { day: `2025-04-${String(d).padStart(2, '0')}`, poli: 'umum', taken: d, served: d, noShow: 0, averageWaitMinutes: 5, averageServiceMinutes: 4 },
        });
      }
    });
    const recs = generateRecords(200, { seed: 14 })
      .filter((r) => r.type === 'referral')
      .slice(0, 3);
    await box.transaction(async (tx) => {
      for (const r of recs) await appendOutbox(tx, { type: 'referral', entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
    });
    // One batch at a time: with several in flight the hub may commit them in any order.
    sync = await boxSync(cred, { syncBatchMaxRecords: 5, syncMaxInFlight: 1 });
    await until('the backlog to drain', async () => (await sync!.stats()).pending === 0);
    const first = arrivals.find((b) => b.records.some((r) => r.seq > 0))!;
    expect(first.records.slice(0, 3).map((r) => r.type)).toEqual(['referral', 'referral', 'referral']);
  });

  it('a hospital answer waits at the hub while the box is offline, is applied once, and its new version comes back', async () => {
    const cred = await stack.enrol();
    await seedDemo(box, settings);
    const doctor = (await box.query<{ id: string }>(`SELECT id FROM staff WHERE username = 'dokter'`)).rows[0].id;
    await issueReferral(box, { staffId: doctor, role: 'doctor', name: 'dokter', device: 'test' }, settings, demoIds.referral);
    sync = await boxSync(cred);
    await until('the referral at the hub', async () => (await stack.db.query(`SELECT 1 FROM entities WHERE type = 'referral' AND entity_id = $1`, [demoIds.referral])).rows.length);

    proxy.cut();
    await until('the box to notice the cut', async () => !(await sync!.stats()).connected);
    const res = await stack.hubFetch(`/admin/referrals/${demoIds.referral}/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'scheduled', scheduledFor: '2030-01-15', note: 'Poli Penyakit Dalam, jam 08.00' }),
    });
    expect(res.status).toBe(201);
    await sleep(300);
    expect((await box.query<{ status: string }>(`SELECT status FROM referrals WHERE id = $1`, [demoIds.referral])).rows[0].status).toBe('issued');

    proxy.restore();
    await until(
      'the answer on the box',
      async () => (await box.query<{ status: string }>(`SELECT status FROM referrals WHERE id = $1`, [demoIds.referral])).rows[0].status === 'scheduled',
    );
    await until(
      'the box’s acknowledgement',
      async () =>
        (await stack.db.query<{ outcome: string }>(`SELECT outcome FROM downlink WHERE device_id = $1 AND acked_at IS NOT NULL`, [cred.deviceId])).rows[0]?.outcome === 'applied',
    );
    await until(
      'the new version at the hub',
      async () =>
        (
          await stack.db.query<{ version: number; s: string }>(`SELECT version, payload->>'status' AS s FROM entity_state WHERE type = 'referral' AND entity_id = $1`, [
            demoIds.referral,
          ])
        ).rows[0].s === 'scheduled',
    );

    // Sent again (e.g. the ack was lost): acknowledged again, not applied twice.
    const versionBefore = (await box.query<{ version: number }>(`SELECT version FROM referrals WHERE id = $1`, [demoIds.referral])).rows[0].version;
    await stack.db.query(`UPDATE downlink SET acked_at = NULL, outcome = NULL WHERE device_id = $1`, [cred.deviceId]);
    await stack.hub.downlink.sendPending(cred.deviceId, true);
    await until(
      'the second acknowledgement',
      async () => (await stack.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND acked_at IS NOT NULL`, [cred.deviceId])).rows.length,
    );
    expect((await box.query<{ version: number }>(`SELECT version FROM referrals WHERE id = $1`, [demoIds.referral])).rows[0].version).toBe(versionBefore);
    expect((await box.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_inbox`)).rows[0].n).toBe(1);
  });

  it('the district formulary reaches the box once; a bad list is refused at the hub and queues nothing', async () => {
    const cred = await stack.enrol();
    await seedDemo(box, settings);
    sync = await boxSync(cred);
    await until('the box to connect', async () => (await sync!.stats()).connected);
    const post = (body: unknown) => stack.hubFetch('/admin/formulary', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const bad = await post({ items: [{ kfaCode: '93001234', name: '', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true }], devices: [cred.deviceId] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/items\.0\.name/);
    const queued = async () =>
      (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM downlink WHERE device_id = $1 AND kind = 'formulary'`, [cred.deviceId])).rows[0].n;
    expect(await queued()).toBe(0);

    const items = [
      { kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true },
      { kfaCode: '93012001', name: 'Asam folat', strength: '1 mg', form: 'tablet', unit: 'tablet', active: true },
    ];
    const ok = await post({ items, devices: [cred.deviceId] });
    expect(ok.status).toBe(201);
    const { version } = await ok.json();
    await until('the new medicine on the box', async () => (await box.query(`SELECT 1 FROM formulary WHERE kfa_code = '93012001'`)).rows.length);
    await until(
      'the box’s acknowledgement',
      async () =>
        (await stack.db.query<{ outcome: string }>(`SELECT outcome FROM downlink WHERE device_id = $1 AND kind = 'formulary' AND acked_at IS NOT NULL`, [cred.deviceId])).rows[0]
          ?.outcome === 'applied',
    );
    expect((await box.query<{ name: string }>(`SELECT name FROM formulary WHERE kfa_code = '93001234'`)).rows).toEqual([{ name: 'Paracetamol' }]);
    expect((await box.query<{ value: number }>(`SELECT value FROM sync_state WHERE key = 'formulary_version'`)).rows[0].value).toBe(version);

    // Sent again (a lost acknowledgement): acknowledged again, applied once.
    await stack.db.query(`UPDATE downlink SET acked_at = NULL, outcome = NULL WHERE device_id = $1`, [cred.deviceId]);
    await stack.hub.downlink.sendPending(cred.deviceId, true);
    await until(
      'the second acknowledgement',
      async () => (await stack.db.query(`SELECT 1 FROM downlink WHERE device_id = $1 AND acked_at IS NOT NULL`, [cred.deviceId])).rows.length,
    );
    expect((await box.query<{ n: number }>(`SELECT count(*)::int AS n FROM formulary WHERE kfa_code = '93012001'`)).rows[0].n).toBe(1);
    expect((await box.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_inbox WHERE kind = 'formulary'`)).rows[0].n).toBe(1);
  });
});
