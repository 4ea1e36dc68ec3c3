/**
 * The hub's database: PGlite under its data dir (durable commits, see appliance/storage), or
 * PostgreSQL when DATABASE_URL is set. Same SQL and migrations on both; everything the hub does
 * goes through this small interface.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase } from '../../appliance/storage/database.ts';
import { migrateHub } from './migrations.ts';
import type { HubDb } from './hub-db.ts';

export type { HubDb, HubQueryable } from './hub-db.ts';

export function pgliteHubDb(db: PGlite): HubDb {
  return {
    kind: 'pglite',
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) => db.transaction((tx) => fn(tx)),
    close: () => db.close(),
  };
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A pool on PostgreSQL; `schema` (created if missing) isolates a test run or a deployment. */
export async function postgresHubDb(url: string, opts: { schema?: string; max?: number } = {}): Promise<HubDb> {
  let options: string | undefined;
  if (opts.schema) {
    if (!SCHEMA_NAME.test(opts.schema)) throw new Error(`database schema name ${opts.schema} is not a plain identifier`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
    } finally {
      await c.end();
    }
    options = `-c search_path=${opts.schema}`;
  }
  const pool = new pg.Pool({ connectionString: url, options, max: opts.max ?? 8 });
  // A dropped connection must not crash the hub: the next query gets a new one.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    query: async (sql, params) => ({ rows: (await pool.query(sql, params as unknown[])).rows }),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection lost while checked out (PostgreSQL restarted, the backend terminated) emits
      // 'error' on the client, which the pool only watches while idle: without this the hub dies.
      let lost: Error | null = null;
      const onError = (err: Error) => (lost = err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn({ query: async (sql, params) => ({ rows: (await client.query(sql, params as unknown[])).rows }) });
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.off('error', onError);
        // A broken connection is destroyed, not handed to the next transaction.
        client.release(lost ?? undefined);
      }
    },
    close: () => pool.end(),
  };
}

/** Opens and migrates the hub's database as configured. */
export async function openHubDatabase(o: { dataDir: string; databaseUrl?: string; databaseSchema?: string; log?: (l: string) => void }): Promise<HubDb> {
  const db = o.databaseUrl ? await postgresHubDb(o.databaseUrl, { schema: o.databaseSchema }) : pgliteHubDb(await openDatabase({ dataDir: o.dataDir, migrate: false, log: o.log }));
  await migrateHub(db);
  return db;
}

/** For tests: an in-memory PGlite hub database. */
export async function openMemoryHubDatabase(): Promise<HubDb> {
  const db = pgliteHubDb(await PGlite.create());
  await migrateHub(db);
  return db;
}
