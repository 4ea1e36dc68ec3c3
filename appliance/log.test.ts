import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createLog } from './log.ts';

/**
 * Errors are logged without the data they failed on: PGlite's attached statement and parameters,
 * Postgres's key values (PGlite for the box, PostgreSQL through node-postgres for the hub), values
 * quoted in messages, and the text a JSON parse choked on — while what failed stays readable.
 */
describe('error log lines', () => {
  const lines: string[] = [];
  const log = createLog({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  const logged = (err: unknown) => {
    lines.length = 0;
    log.error({ err }, 'failed');
    return lines.join('');
  };
  const nik = '3329015203900002';
  const name = 'Siti Rahmawati Kencana';

  let lite: PGlite;
  let pool: pg.Pool;
  beforeAll(async () => {
    lite = await PGlite.create();
    await lite.exec('CREATE TABLE patients (nik text UNIQUE, full_name text)');
    await lite.query('INSERT INTO patients VALUES ($1, $2)', [nik, name]);
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
  });
  afterAll(async () => {
    await lite.close();
    await pool.end();
  });

  it('from PGlite: no statement, parameters or key values; SQLSTATE and constraint kept', async () => {
    const err = await lite.query('INSERT INTO patients VALUES ($1, $2)', [nik, name]).catch((e) => e);
    expect(JSON.stringify({ ...err, message: err.message })).toContain(nik); // the error does carry them
    const line = logged(err);
    expect(line).not.toContain(nik);
    expect(line).not.toContain(name);
    expect(line).not.toContain('INSERT INTO');
    expect(JSON.parse(line).err).toMatchObject({ code: '23505', constraint: 'patients_nik_key', message: expect.stringContaining('duplicate key') });
    const cast = await lite.query('SELECT $1::date', [name]).catch((e) => e);
    expect(cast.message).toContain(name);
    expect(logged(cast)).not.toContain(name);
  });

  it('from PostgreSQL through node-postgres (the hub): no key values or quoted input', async () => {
    const client = await pool.connect();
    try {
      await client.query('CREATE TEMP TABLE patients (nik text UNIQUE, full_name text)');
      await client.query('INSERT INTO patients VALUES ($1, $2)', [nik, name]);
      const dup = await client.query('INSERT INTO patients VALUES ($1, $2)', [nik, name]).catch((e) => e);
      expect(dup.detail).toContain(nik);
      const line = logged(dup);
      expect(line).not.toContain(nik);
      expect(JSON.parse(line).err).toMatchObject({ code: '23505', table: 'patients', constraint: 'patients_nik_key' });
      const cast = await client.query('SELECT $1::uuid', [name]).catch((e) => e);
      expect(logged(cast)).not.toContain(name);
    } finally {
      client.release();
    }
  });

  it('from JSON.parse, and through an error’s cause', () => {
    let parseError: unknown;
    try {
      JSON.parse(`${name}`);
    } catch (e) {
      parseError = e;
    }
    expect((parseError as Error).message).toContain('Siti');
    expect(logged(parseError)).not.toContain('Siti');
    const wrapped = new Error('ingest failed', { cause: Object.assign(new Error(`bad value "${nik}"`), { params: [nik, name], query: 'INSERT …' }) });
    const line = logged(wrapped);
    expect(line).not.toContain(nik);
    expect(line).not.toContain(name);
    expect(line).toContain('ingest failed');
  });
});
