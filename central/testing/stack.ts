/**
 * The two stacks the sync integration suite runs on: the hub's embedded broker + PGlite, and
 * Mosquitto (127.0.0.1:1883, shared, anonymous) + PostgreSQL (127.0.0.1:5432) in a schema of
 * its own that is dropped afterwards. Device ids are unique per run, so runs sharing the
 * Mosquitto never see each other's records (the hub drops unknown devices' messages).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { startHub, type Hub, type HubOptions } from '../hub.ts';
import type { IngestHooks } from '../ingest/ingest.ts';
import { enrolDevice } from '../fleet/devices.ts';
import { openMemoryHubDatabase, postgresHubDb, type HubDb } from '../storage/db.ts';
import { migrateHub } from '../storage/migrations.ts';

export type StackKind = 'embedded+pglite' | 'mosquitto+postgres';
export const MOSQUITTO_URL = process.env.SIMPUL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const POSTGRES_URL = process.env.SIMPUL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Stack {
  kind: StackKind;
  hub: Hub;
  db: HubDb;
  /** Where boxes connect (the same across hub restarts). */
  mqttUrl: string;
  runId: string;
  /** The hub's admin token (every route but /healthz needs it). */
  adminToken: string;
  /** fetch on the hub's web face with the admin token. */
  hubFetch(path: string, init?: RequestInit): Promise<Response>;
  /** A box; `region` sets devices.region_code (4 digits: its kabupaten/kota). */
  enrol(name?: string, region?: string): Promise<{ deviceId: string; secret: string }>;
  restartHub(hooks?: IngestHooks): Promise<Hub>;
  close(): Promise<void>;
}

export const quietLog = () => pino({ level: process.env.SIMPUL_TEST_LOG ?? 'silent' });

/** `more`: the hub's clock, the fleet state's and alerts' clocks and timings (fleet tests). */
export async function startStack(kind: StackKind, hooks: IngestHooks = {}, more: Pick<HubOptions, 'fleet' | 'alerts' | 'now'> = {}): Promise<Stack> {
  const runId = randomBytes(4).toString('hex');
  const log = quietLog();
  let db: HubDb;
  let schema: string | null = null;
  if (kind === 'embedded+pglite') db = await openMemoryHubDatabase();
  else {
    schema = `sync_test_${runId}`;
    db = await postgresHubDb(POSTGRES_URL, { schema, max: 4 });
    await migrateHub(db);
  }
  const adminToken = randomBytes(18).toString('base64url');
  const base = { httpPort: 0, httpHost: '127.0.0.1', resendAfterMs: 500, logLevel: 'silent' as const, adminToken };
  let hub = await startHub(kind === 'embedded+pglite' ? { ...base, brokerPort: 0, brokerHost: '127.0.0.1' } : { ...base, mqttUrl: MOSQUITTO_URL }, { db, log, hooks, ...more });
  const mqttUrl = hub.mqttUrl;
  let n = 0;
  const stack: Stack = {
    kind,
    db,
    mqttUrl,
    runId,
    adminToken,
    hubFetch: (path, init = {}) => fetch(`${hub.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${adminToken}` } }),
    get hub() {
      return hub;
    },
    async enrol(name, region) {
      const cred = await enrolDevice(db, { facilityCode: '0112P001', deviceId: `t${runId}-${name ?? `box${++n}`}` });
      if (region) await db.query(`UPDATE devices SET region_code = $2 WHERE id = $1`, [cred.deviceId, region]);
      return cred;
    },
    async restartHub(newHooks) {
      await hub.close();
      const port = Number(new URL(mqttUrl).port);
      hub = await startHub(kind === 'embedded+pglite' ? { ...base, brokerPort: port, brokerHost: '127.0.0.1' } : { ...base, mqttUrl: MOSQUITTO_URL }, {
        db,
        log,
        hooks: newHooks ?? hooks,
        ...more,
      });
      return hub;
    },
    async close() {
      await hub.close();
      await db.close();
      if (schema) {
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    },
  } as Stack;
  return stack;
}
