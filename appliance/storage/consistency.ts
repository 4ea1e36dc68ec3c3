/**
 * Database consistency check with amcheck (shipped with PGlite as an extension):
 * every heap relation with verify_heapam (incl. TOAST), every B-tree index with
 * bt_index_check(heapallindexed => true), GIN indexes with gin_index_check.
 * Runs inside a transaction that is rolled back, so it leaves no trace (not even the extension).
 * The database must have been opened with `extensions: { amcheck }`.
 */
import type { PGlite } from '@electric-sql/pglite';

export interface ConsistencyReport {
  ok: boolean;
  heapsChecked: number;
  indexesChecked: number;
  problems: string[];
}

export async function checkConsistency(db: PGlite): Promise<ConsistencyReport> {
  const problems: string[] = [];
  let heapsChecked = 0;
  let indexesChecked = 0;
  await db.transaction(async (tx) => {
    await tx.exec('CREATE EXTENSION IF NOT EXISTS amcheck');
    const heaps = await tx.query<{ oid: number; name: string }>(
      `SELECT c.oid::int AS oid, c.oid::regclass::text AS name FROM pg_class c
        WHERE c.relkind IN ('r','m') AND c.relpersistence = 'p' ORDER BY c.oid`,
    );
    for (const h of heaps.rows) {
      const r = await tx.query<{ blkno: number; msg: string }>('SELECT blkno, msg FROM verify_heapam($1::oid::regclass, check_toast => true)', [h.oid]);
      heapsChecked++;
      for (const p of r.rows) problems.push(`heap ${h.name} block ${p.blkno}: ${p.msg}`);
    }
    const idx = await tx.query<{ oid: number; name: string; am: string }>(
      `SELECT c.oid::int AS oid, c.oid::regclass::text AS name, am.amname AS am
         FROM pg_class c JOIN pg_am am ON am.oid = c.relam JOIN pg_index i ON i.indexrelid = c.oid
        WHERE c.relkind = 'i' AND c.relpersistence = 'p' AND i.indisvalid AND am.amname IN ('btree','gin')
        ORDER BY c.oid`,
    );
    for (const i of idx.rows) {
      try {
        await tx.exec('SAVEPOINT idx');
        if (i.am === 'btree') await tx.query('SELECT bt_index_check($1::oid::regclass, true)', [i.oid]);
        else await tx.query('SELECT gin_index_check($1::oid::regclass)', [i.oid]);
        await tx.exec('RELEASE SAVEPOINT idx');
      } catch (e: any) {
        await tx.exec('ROLLBACK TO SAVEPOINT idx');
        problems.push(`index ${i.name} (${i.am}): ${e?.message ?? e}`);
      }
      indexesChecked++;
    }
    await tx.rollback();
  });
  return { ok: problems.length === 0, heapsChecked, indexesChecked, problems };
}
