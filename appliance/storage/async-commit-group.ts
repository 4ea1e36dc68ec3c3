/**
 * App-level group commit by asynchronous commit + a shared flush barrier (an alternative to
 * GroupCommitDb in group-commit.ts, measured side by side in bench/storage.ts).
 *
 * PGlite is one Postgres backend behind a mutex: `db.query`/`db.transaction` calls run strictly one
 * after another, each durable COMMIT does its own fdatasync, and Postgres's own group commit
 * (commit_delay, several backends sharing a flush) cannot happen. With 20 concurrent writers the
 * box therefore does 20 syncs for 20 commits.
 *
 * `AsyncCommitGroup.transaction(fn)` runs `fn` in its own transaction (own isolation, own rollback on
 * error) with `SET LOCAL synchronous_commit = off`, so its COMMIT returns without syncing; it then
 * waits for a shared flush barrier, `pg_logical_emit_message(false, ..., flush => true)` (PG17+: a
 * non-transactional WAL record, no xid consumed, whose flush syncs all WAL before it). A barrier
 * starts only after every commit it is meant to cover has returned, and all writers waiting for
 * it are released together once it has synced. So `transaction()` still resolves only after the
 * writer's commit is on stable storage: the 2xx rule holds, and one sync covers many commits.
 *
 * Caveat (the usual one for asynchronous commit): between its COMMIT and the barrier, a row is
 * visible to other queries before it is durable. A reader that answers with it in that window
 * (typically < 1 ms) could show data that a power cut then loses; a *write* depending on it is safe
 * (the WAL is sequential, so its own durable commit covers the earlier one).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';

export class AsyncCommitGroup {
  #next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  #running: Promise<void> | null = null;
  /** Barriers run (each one WAL sync) and transactions committed, for the benchmark. */
  readonly stats = { barriers: 0, commits: 0 };

  constructor(readonly db: PGlite) {}

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      await tx.exec('SET LOCAL synchronous_commit = off');
      return fn(tx);
    });
    this.stats.commits++;
    await this.flush();
    return result;
  }

  /** Resolves once all WAL written before this call is on stable storage. */
  flush(): Promise<void> {
    if (!this.#next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#next = { promise, resolve, reject };
      this.#schedule();
    }
    return this.#next.promise;
  }

  #schedule() {
    if (this.#running) return; // started again when the running barrier ends
    const batch = this.#next!;
    // Let the other writers that are ready now finish their commits first (one macrotask).
    this.#running = new Promise<void>((r) => setImmediate(r)).then(async () => {
      this.#next = null; // commits returning from now on need the next barrier
      try {
        await this.db.query("SELECT pg_logical_emit_message(false, 'simpul.group_commit', '', true)");
        this.stats.barriers++;
        batch.resolve();
      } catch (e) {
        batch.reject(e);
      } finally {
        this.#running = null;
        if (this.#next) this.#schedule();
      }
    });
  }
}
