/**
 * Scale-out: two hub processes share the uplink through an MQTT shared subscription
 * (`$share/<group>/…`) on Mosquitto (127.0.0.1:1883), both writing to one PostgreSQL schema.
 * Every record is stored once and both processes take part.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendOutbox, type OutboxEntry } from '../appliance/clinic/outbox.ts';
import { openMemoryDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync } from '../appliance/sync/index.ts';
import { enrolDevice } from '../central/fleet/devices.ts';
import { postgresHubDb, type HubDb } from '../central/storage/db.ts';
import { migrateHub } from '../central/storage/migrations.ts';
import { spawnHub, type HubProcess } from '../central/testing/hub-process.ts';
import { generateRecords } from '../central/testing/records.ts';
import { MOSQUITTO_URL, POSTGRES_URL, quietLog } from '../central/testing/stack.ts';
import { until } from './support/wait.ts';

describe('two hub processes on Mosquitto + PostgreSQL ($share)', () => {
  const runId = randomBytes(4).toString('hex');
  const schema = `sync_scale_${runId}`;
  let db: HubDb;
  const hubs: HubProcess[] = [];

  beforeAll(async () => {
    db = await postgresHubDb(POSTGRES_URL, { schema, max: 2 });
    await migrateHub(db);
    const env = { MQTT_URL: MOSQUITTO_URL, DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, SIMPUL_HUB_SHARED_GROUP: `ingest${runId}` };
    hubs.push(...(await Promise.all([spawnHub(env), spawnHub(env)])));
  });
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.kill()));
    await db?.close();
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('every record is stored once and the load is split between them', async () => {
    const cred = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `t${runId}-scale` });
    const box = new GroupCommitDb(await openMemoryDatabase());
    const recs = generateRecords(1000, { seed: 21 });
    await box.transaction(async (tx) => {
      for (const r of recs) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
    });
    const sync = await startSync({
      db: box,
      log: quietLog(),
      config: {
        mqttUrl: MOSQUITTO_URL,
        deviceId: cred.deviceId,
        deviceSecret: cred.secret,
        facility: { code: '0112P001' },
        timeZone: 'Asia/Jakarta',
        syncPollMs: 50,
        syncBatchMaxRecords: 20,
        syncMaxInFlight: 4,
      },
    });
    try {
      await until('the backlog to drain', async () => (await sync.stats()).pending === 0, 60_000);
    } finally {
      await sync.close();
    }
    const { rows } = await db.query<{ n: number; distinct_seq: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT box_seq)::int AS distinct_seq FROM records WHERE device_id = $1`,
      [cred.deviceId],
    );
    expect(rows[0]).toEqual({ n: 1000, distinct_seq: 1000 });
    const outbox = await box.query<{ seq: string }>(`SELECT seq::text FROM outbox ORDER BY seq`);
    const stored = await db.query<{ box_seq: string }>(`SELECT box_seq::text FROM records WHERE device_id = $1 ORDER BY box_seq`, [cred.deviceId]);
    expect(stored.rows.map((r) => r.box_seq)).toEqual(outbox.rows.map((r) => r.seq));
    const split = await Promise.all(hubs.map((h) => h.storedHere()));
    console.log(`scale-out: hub processes stored ${split.join(' + ')} = ${split[0] + split[1]} records`);
    expect(split[0] + split[1]).toBe(1000);
    expect(Math.min(...split)).toBeGreaterThan(100);
    await box.close();
  });
});
