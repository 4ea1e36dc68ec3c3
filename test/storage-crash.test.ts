/**
 * kill -9 in the middle of a stream of writes, SIMPUL_CRASH_ROUNDS times (default 20) at random
 * moments: the writer (test/storage-support/writer-child.ts) commits one row per
 * transaction and prints `ACK <id>` after each commit returns. Each round restarts it on the same
 * data dir (so it also recovers from the previous crash, sometimes crashing again mid-recovery).
 * At the end every acknowledged row must be there, nothing that was never attempted may be, and
 * amcheck must find the heaps and indexes consistent.
 *
 * kill -9 keeps the OS page cache, so it proves crash recovery, not power-cut durability; that is
 * test/storage-powercut.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { openDatabase } from '../appliance/storage/database.ts';
import { checkConsistency } from '../appliance/storage/consistency.ts';
import { spawnWriter, type WriterHandle } from './storage-support/writer.ts';
import { ensureTestTemplate } from './storage-support/template-cache.ts';
import { sleep } from './support/wait.ts';

const ROUNDS = Number(process.env.SIMPUL_CRASH_ROUNDS ?? 20);
const ID_STRIDE = 1_000_000; // round r writes ids r*ID_STRIDE+1...: never reused after a crash

describe('storage survives kill -9', () => {
  let work: string;
  let template: string;
  const live = new Set<WriterHandle>();

  beforeAll(async () => {
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-crash-'));
    template = await ensureTestTemplate();
  });
  afterAll(async () => {
    for (const w of live) w.child.kill('SIGKILL');
    await Promise.all([...live].map((w) => w.exited));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it(`keeps every acknowledged row over ${ROUNDS} kill -9s and stays consistent`, async () => {
    const dataDir = join(work, 'box');
    const acked: number[] = [];
    let ackedRounds = 0;
    let rng = Number(process.env.SIMPUL_CRASH_SEED ?? Date.now()) % 2147483647 || 1;
    const rand = () => (rng = (rng * 48271) % 2147483647) / 2147483647;
    const seed = rng;

    for (let round = 1; round <= ROUNDS; round++) {
      const writers = rand() < 0.5 ? 1 : 4;
      const w = spawnWriter(dataDir, [`--start=${round * ID_STRIDE + 1}`, `--writers=${writers}`, `--template=${template}`, '--payload=' + Math.floor(rand() * 3000)]);
      live.add(w);
      if (round % 5 === 0) {
        // now and then, kill it while it is starting up / recovering from the previous crash
        await sleep(200 + rand() * 1200);
      } else {
        await Promise.race([w.ready, w.exited]);
        await sleep(20 + rand() * 500);
      }
      w.child.kill('SIGKILL');
      const exit = await w.exited;
      live.delete(w);
      expect(exit.signal, `round ${round} (seed ${seed}) writer died by itself: ${w.stderr().slice(-2000)}`).toBe('SIGKILL');
      acked.push(...w.acks);
      if (w.acks.length) ackedRounds++;
    }
    expect(ackedRounds, 'most rounds should acknowledge some writes').toBeGreaterThanOrEqual(Math.floor(ROUNDS / 2));

    const db = await openDatabase({ dataDir, extensions: { amcheck }, log: () => {} });
    try {
      const { rows } = await db.query<{ id: string }>('SELECT id::text FROM storage_probe');
      const present = new Set(rows.map((r) => Number(r.id)));
      const missing = acked.filter((id) => !present.has(id));
      expect(missing, `seed ${seed}: acknowledged rows lost`).toEqual([]);
      // Rows committed but killed before their ACK may exist; rows never attempted may not.
      const ackedSet = new Set(acked);
      const extra = [...present].filter((id) => !ackedSet.has(id));
      expect(extra.length).toBeLessThanOrEqual(ROUNDS * 4);
      const report = await checkConsistency(db);
      console.log(
        `kill -9 x${ROUNDS} (seed ${seed}): ${acked.length} acknowledged rows all present, ${extra.length} committed-unacknowledged, amcheck: ${report.heapsChecked} heaps, ${report.indexesChecked} indexes, ${report.problems.length} problems`,
      );
      expect(report.problems).toEqual([]);
      expect(report.heapsChecked).toBeGreaterThan(50); // catalogs + storage_probe + the app's tables
      expect(report.indexesChecked).toBeGreaterThan(50);
    } finally {
      await db.close();
    }
  }, 180_000);
});
