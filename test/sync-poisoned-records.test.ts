/**
 * A box that sends records which pass the envelope but cannot be stored (NUL, a lone surrogate,
 * a version beyond the column, JSON nested thousands deep, a date that does not exist, a row a
 * database constraint refuses) must not wedge its own uplink: the hub stores and acknowledges
 * the valid records of the batch and rejects each bad one with a reason; the box parks those and
 * keeps sending. On both stacks.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendOutbox, onContractBreach, type OutboxEntry } from '../appliance/clinic/outbox.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { listParked, startSync } from '../appliance/sync/index.ts';
import { decodeFrame, encodeFrame, encodeJsonFrame, topics, type UplinkAck, type WireRecord } from '../central/contract/index.ts';
import { generateRecords } from '../central/testing/records.ts';
import { quietLog, startStack, type Stack, type StackKind } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

const nested = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe.each(['embedded+pglite', 'mosquitto+postgres'] as StackKind[])('poisoned records on %s', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(kind);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a batch with one record of each poison: the valid ones are stored and acknowledged, each poisoned one rejected with a reason', async () => {
    const cred = await stack.enrol();
    const refuse = `refuse-me-${stack.runId}`;
    const constraint = `poison_test_${stack.runId}`;
    // A fault nobody foresaw: the database refuses a row the contract allows.
    await stack.db.query(`ALTER TABLE records ADD CONSTRAINT ${constraint} CHECK (payload->>'note' IS DISTINCT FROM '${refuse}') NOT VALID`);
    const box = mqtt.connect(stack.mqttUrl, { clientId: cred.deviceId, username: cred.deviceId, password: cred.secret, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await new Promise<void>((res, rej) => (box.once('connect', () => res()), box.once('error', rej)));
      const acks: UplinkAck[] = [];
      box.on('message', (_t, p) => {
        const d = decodeFrame('ack', p);
        if (d.ok) acks.push(d.message);
      });
      await box.subscribeAsync(topics.ack(cred.deviceId), { qos: 1 });

      const gen = generateRecords(40, { seed: 91 });
      const consent = gen.find((r) => r.type === 'consent')!;
      const summary = gen.find((r) => r.type === 'encounter_summary')!;
      let seq = 0;
      const wire = (r: (typeof gen)[number], change: Partial<WireRecord> = {}, payload: Record<string, unknown> = {}): WireRecord => ({
        seq: ++seq,
        type: r.type,
        sv: r.schemaVersion,
        entity: r.entityId,
        ev: r.entityVersion,
        at: r.createdAt,
        payload: { ...r.payload, ...payload },
        ...change,
      });
      /** The record as another entity of its type (an encounter summary's id is its entity). */
      const other = (r: (typeof gen)[number], change: Partial<WireRecord> = {}, payload: Record<string, unknown> = {}) => {
        const id = randomUUID();
        return wire(r, { entity: id, ...change }, { id, ...payload });
      };
      const valid = [wire(gen[0]), wire(gen[1]), wire(gen[2])];
      const poisoned: [WireRecord, RegExp][] = [
        [other(summary, {}, { note: 'a\u0000b' }), /payload\.note contains a NUL character or a lone UTF-16 surrogate/],
        [other(summary, {}, { note: 'x\ud800y' }), /payload\.note contains a NUL character or a lone UTF-16 surrogate/],
        [wire(consent, { ev: 2 ** 31 }, { version: 2 ** 31 }), /record invalid at ev/],
        // Nested 5,000 deep in the frame's text (JSON.stringify itself would run out of stack).
        [other(summary, {}, { deep: 'DEEP' }), /payload\.deep\.0\..* nests deeper than 32 levels/],
        [other(summary, {}, { temperature: 'HUGE' }), /payload\.temperature is a number out of range/],
        [other(summary, {}, { note: refuse }), new RegExp(`the hub's database refused the record \\(SQLSTATE 23514: .*${constraint}`)],
        [other(summary, { at: '2025-02-30T08:00:00+07:00' }, {}), /record invalid at at/],
        [other(summary, { ev: 0 }, {}), /record invalid at ev/],
        [wire(summary, { entity: `a\u0000b` }, {}), /record invalid at entity/],
      ];
      const more = wire(gen[3]);
      const records = [valid[0], ...poisoned.slice(0, 4).map(([r]) => r), valid[1], ...poisoned.slice(4).map(([r]) => r), valid[2]];
      const json = JSON.stringify({ v: 1, kind: 'records', batch: 'poisoned', records })
        .replace('"DEEP"', `${'['.repeat(5000)}1${']'.repeat(5000)}`)
        .replace('"HUGE"', '1e999999');
      await box.publishAsync(topics.records(cred.deviceId), encodeJsonFrame(json), { qos: 1 });
      const ack = (await until('the hub’s acknowledgement of the poisoned batch', () => acks.find((a) => a.batch === 'poisoned'), 15_000))!;
      expect([...ack.stored].sort((a, b) => a - b)).toEqual(valid.map((r) => r.seq));
      expect(ack.rejected.map((x) => x.seq).sort((a, b) => a - b)).toEqual(poisoned.map(([r]) => r.seq).sort((a, b) => a - b));
      for (const [r, reason] of poisoned) expect(ack.rejected.find((x) => x.seq === r.seq)?.reason, `seq ${r.seq}`).toMatch(reason);

      const held = await stack.db.query<{ box_seq: string }>(`SELECT box_seq::text FROM records WHERE device_id = $1 ORDER BY box_seq`, [cred.deviceId]);
      expect(held.rows.map((r) => Number(r.box_seq))).toEqual(valid.map((r) => r.seq));
      const rejections = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rejections WHERE device_id = $1`, [cred.deviceId]);
      expect(rejections.rows[0].n).toBe(poisoned.length);

      // The uplink keeps flowing.
      await box.publishAsync(topics.records(cred.deviceId), encodeFrame({ v: 1, kind: 'records', batch: 'after', records: [more] }), { qos: 1 });
      const after = await until('the next batch’s acknowledgement', () => acks.find((a) => a.batch === 'after'), 15_000);
      expect(after).toMatchObject({ stored: [more.seq], rejected: [] });
    } finally {
      await box.endAsync(true);
      await stack.db.query(`ALTER TABLE records DROP CONSTRAINT IF EXISTS ${constraint}`);
    }
  });

  it('a real box parks the records the hub cannot store and delivers the rest', async () => {
    const cred = await stack.enrol();
    const box = new GroupCommitDb(await openMemoryDatabase());
    const sync = await startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: stack.mqttUrl,
        deviceId: cred.deviceId,
        deviceSecret: cred.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Jakarta',
        syncPollMs: 50,
        syncAckTimeoutMs: 2000,
        syncBackoffMinMs: 50,
        syncBackoffMaxMs: 400,
        syncStatusIntervalMs: 300,
      },
    });
    try {
      const gen = generateRecords(60, { seed: 92 });
      const summaries = gen.filter((r) => r.type === 'encounter_summary');
      const bad = [
        { ...summaries[0], payload: { ...summaries[0].payload, complaint: 'batuk\u0000pilek' } },
        { ...summaries[1], payload: { ...summaries[1].payload, deep: nested(200) } },
      ];
      const good = gen.filter((r) => !bad.some((b) => b.entityId === r.entityId));
      // As the box in production writes them: kept despite the contract, reported (the test default refuses them).
      const breaches: string[] = [];
      onContractBreach((b) => breaches.push(b.entityId));
      try {
        await box.transaction(async (tx) => {
          for (const r of [...bad, ...good]) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
        });
      } finally {
        onContractBreach('throw');
      }
      expect(breaches).toEqual(bad.map((b) => b.entityId));
      sync.kick();
      await until('the outbox to drain', async () => (await sync.stats()).pending === 0, 15_000);
      const parked = await listParked(box);
      expect(parked.map((p) => p.reason).sort()).toEqual([expect.stringMatching(/payload\.complaint contains a NUL/), expect.stringMatching(/nests deeper than 32/)].sort());
      expect((await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE device_id = $1`, [cred.deviceId])).rows[0].n).toBe(good.length);
    } finally {
      await sync.close();
      await box.close();
    }
  });
});
