import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { GroupCommitDb } from './group-commit.ts';

describe('group commit', () => {
  let db: GroupCommitDb;
  beforeAll(async () => {
    db = new GroupCommitDb(await PGlite.create());
    await db.query('CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)');
  });
  afterAll(() => db.close());

  it('concurrent transactions share commits and each keeps its own result', async () => {
    const before = { ...db.stats };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES ($1, $2)', [i, `v${i}`]);
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(db.stats.transactions - before.transactions).toBe(50);
    expect(db.stats.commits - before.commits).toBeLessThan(10);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(50);
  });

  it('a failing member is rolled back alone; the others commit', async () => {
    const outcomes = await Promise.allSettled([
      db.transaction((tx) => tx.query('INSERT INTO t VALUES (100, $1)', ['ok'])),
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (101, $1)', ['half']);
        await tx.query('INSERT INTO t VALUES (100, $1)', ['duplicate']); // fails: pk
      }),
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (102, $1)', ['ok']);
        throw new Error('domain refused');
      }),
      db.transaction((tx) => tx.query('INSERT INTO t VALUES (103, $1)', ['ok'])),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const { rows } = await db.query<{ id: number }>('SELECT id FROM t WHERE id >= 100 ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([100, 103]);
  });
});
