/**
 * Opening the box's database: first boot from the template (no initdb), reopen, leftovers of an
 * interrupted first boot, and a corrupt or foreign data dir refused with CorruptDataDirError —
 * never re-initialised over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CorruptDataDirError, openDatabase, storageInfo } from '../appliance/storage/database.ts';
import { ensureTestTemplate } from './storage-support/template-cache.ts';

const quiet = { log: () => {} };

describe('opening the database', () => {
  let work: string;
  let template: string;
  let good: string; // a cleanly closed data dir to copy from
  beforeAll(async () => {
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-open-'));
    template = await ensureTestTemplate();
    good = join(work, 'good');
    fs.mkdirSync(join(good, 'pgdata.init-99999'), { recursive: true }); // leftover of an interrupted first boot
    fs.writeFileSync(join(good, 'pgdata.init-99999', 'PG_VERSION'), '18\n');
    const db = await openDatabase({ dataDir: good, template, ...quiet });
    expect(storageInfo(db)?.boot).toBe('template');
    await db.exec('CREATE TABLE t (x int); INSERT INTO t VALUES (42)');
    await db.close();
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function copyOfGood(name: string) {
    const d = join(work, name);
    fs.cpSync(good, d, { recursive: true });
    return d;
  }

  it('first boot comes from the template, removes leftovers, and reopens the same data', async () => {
    expect(fs.readdirSync(good).sort()).toEqual(['pgdata']);
    const db = await openDatabase({ dataDir: good, template, ...quiet });
    try {
      expect(storageInfo(db)?.boot).toBe('existing');
      expect((await db.query<{ x: number }>('SELECT x FROM t')).rows).toEqual([{ x: 42 }]);
      const s = await db.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync','wal_sync_method','synchronous_commit','full_page_writes')",
      );
      expect(Object.fromEntries(s.rows.map((r) => [r.name, r.setting]))).toEqual({ fsync: 'on', wal_sync_method: 'fdatasync', synchronous_commit: 'on', full_page_writes: 'on' });
    } finally {
      await db.close();
    }
  }, 60_000);

  const cases: [string, (pgdata: string) => void, string][] = [
    [
      'a foreign directory',
      (p) => {
        fs.rmSync(p, { recursive: true });
        fs.mkdirSync(p);
        fs.writeFileSync(join(p, 'notes.txt'), 'clinic records');
      },
      'not-a-data-dir',
    ],
    ['another Postgres version', (p) => fs.writeFileSync(join(p, 'PG_VERSION'), '16\n'), 'version-mismatch'],
    ['a truncated pg_control', (p) => fs.truncateSync(join(p, 'global/pg_control'), 100), 'unreadable'],
    [
      'a scribbled pg_control',
      (p) => {
        const f = join(p, 'global/pg_control');
        const b = fs.readFileSync(f);
        b.fill(7, 0, 64);
        fs.writeFileSync(f, b);
      },
      'start-failed',
    ],
    [
      'missing WAL',
      (p) => {
        for (const f of fs.readdirSync(join(p, 'pg_wal'))) if (/^[0-9A-F]{24}$/.test(f)) fs.rmSync(join(p, 'pg_wal', f));
      },
      'start-failed',
    ],
  ];
  for (const [what, damage, reason] of cases) {
    it(`refuses ${what} (${reason}) and leaves it untouched`, async () => {
      const dataDir = copyOfGood(what.replace(/\W+/g, '-'));
      const pgdata = join(dataDir, 'pgdata');
      damage(pgdata);
      // (Postgres may leave its own postmaster.pid behind after a PANIC: not the clinic's data)
      const list = () =>
        fs
          .readdirSync(pgdata)
          .filter((f) => f !== 'postmaster.pid')
          .sort();
      const before = list();
      const lines: string[] = [];
      const err = await openDatabase({ dataDir, template, log: (l) => lines.push(l) }).catch((e) => e);
      expect(err).toBeInstanceOf(CorruptDataDirError);
      expect(err.name).toBe('CorruptDataDirError');
      expect(err.reason).toBe(reason);
      expect(lines.join('\n')).toMatch(/corrupt or unreadable/);
      expect(list()).toEqual(before);
      expect(fs.existsSync(join(dataDir, 'pgdata.lock'))).toBe(false); // lock released
    }, 60_000);
  }
});
