import type { PGlite, Transaction } from '@electric-sql/pglite';

/**
 * Group commit for PGlite. PGlite has one connection, so transactions run one after another and
 * each durable COMMIT pays a WAL sync. Here, transactions that arrive while one is running wait
 * and then run together inside one real transaction, each in its own SAVEPOINT: one that fails
 * is rolled back alone, and everyone's promise settles only after the shared COMMIT has returned,
 * i.e. after the one sync that covers them all. Callers see ordinary transactions.
 */
export interface GroupCommitStats {
  transactions: number;
  commits: number;
}

type Work = { fn: (tx: Transaction) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class GroupCommitDb {
  private pending: Work[] = [];
  private running = false;
  readonly stats: GroupCommitStats = { transactions: 0, commits: 0 };

  constructor(
    readonly pg: PGlite,
    /** Upper bound on one group, so one commit never holds many callers for long. */
    private readonly maxGroup = 128,
  ) {}

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]) {
    return this.pg.query<T>(sql, params);
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    // Let the requests already in flight on this tick join the first group.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length) {
      const group = this.pending.splice(0, this.maxGroup);
      this.stats.transactions += group.length;
      this.stats.commits++;
      if (group.length === 1) {
        const [w] = group;
        await this.pg.transaction(w.fn).then(w.resolve, w.reject);
        continue;
      }
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.pg.transaction(async (tx) => {
          // Each member's RELEASE goes with the next member's SAVEPOINT in one exec, and the last
          // member's is left to COMMIT (which releases it): n + 1 round trips to PGlite instead of
          // 2n. A RELEASE cannot fail (it checks nothing), so a member is still settled by its own
          // work only.
          let release = false;
          for (const w of group) {
            await tx.exec(release ? 'RELEASE SAVEPOINT member; SAVEPOINT member' : 'SAVEPOINT member');
            try {
              const value = await w.fn(tx);
              release = true;
              outcomes.push({ ok: true, value });
            } catch (error) {
              await tx.exec('ROLLBACK TO SAVEPOINT member');
              // The rolled-back savepoint stays; the next member nests its own inside it, as before.
              release = false;
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        // The shared COMMIT failed: nothing of the group is stored.
        for (const w of group) w.reject(error);
        continue;
      }
      group.forEach((w, i) => {
        const o = outcomes[i];
        if (o.ok) w.resolve(o.value);
        else w.reject(o.error);
      });
    }
    this.running = false;
  }

  close() {
    return this.pg.close();
  }
}
