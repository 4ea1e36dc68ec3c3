/**
 * Power-cut simulation. kill -9 does not simulate a power cut: the OS page cache survives it. Here,
 * every change the database makes to its data dir is journaled and the disk is rebuilt as it could
 * be after losing power at many cut points; the database must then reopen with every acknowledged
 * row present and pass amcheck.
 *
 * Method (test/storage-support/powercut.ts):
 *  1. Create the data dir, shut down cleanly, fsync everything: that is the baseline (all durable).
 *  2. Reopen it through openDatabase with a journaling observer that wraps the Emscripten NODEFS
 *     operations Postgres uses (create, mkdir, rename, unlink, write, truncate) and records them in
 *     order with every fsync/fdatasync that reaches the host, and with the test's own
 *     acknowledgements (`ack` is appended after each commit returns). The workload commits rows one
 *     per transaction, with a CHECKPOINT (data-file syncs) and WAL segment switches in the middle,
 *     and ends with a clean close (shutdown checkpoint).
 *  3. For each cut point (random journal positions, and the instants right after an
 *     acknowledgement, the most demanding ones), rebuild the data dir as the disk could hold it:
 *       - strict: each file as of its last sync; directory entries as of the last fsync of the
 *         directory (as a prefix of the metadata operations, as a journaling filesystem commits
 *         them in order); a file whose entry survives but whose data was never synced is empty;
 *       - subset: the same plus a random subset of the later writes, in 4 KiB blocks (write-back
 *         in any order, torn pages), and a random longer prefix of the metadata operations.
 *  4. Open the rebuilt dir with a fresh PGlite (crash recovery runs), check every row acknowledged
 *     before the cut is there, and run amcheck (heaps and B-tree indexes) on a share of the cuts.
 * The same simulation with durable=false (PGlite's stock behaviour) loses acknowledged rows: the
 * method has teeth.
 * Limits: it simulates the disk below the syscalls Postgres makes (not the kernel, firmware or an SD
 * card that lies about flushes), and 4 KiB blocks are assumed atomic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { openDatabase } from '../appliance/storage/database.ts';
import { syncTree } from '../appliance/storage/durable-fs.ts';
import { checkConsistency } from '../appliance/storage/consistency.ts';
import { PowerCutJournal, PowerCutReplayer } from './storage-support/powercut.ts';
import { ensureTestTemplate } from './storage-support/template-cache.ts';

const CUTS = Number(process.env.SIMPUL_POWERCUT_CUTS ?? 40);
const quiet = { log: () => {} };

function lcg(seed: number) {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

async function record(work: string, template: string, durable: boolean, commits: number) {
  const dataDir = join(work, durable ? 'box' : 'box-nodurable');
  let db = await openDatabase({ dataDir, template, ...quiet });
  await db.exec('CREATE TABLE storage_probe (id bigint PRIMARY KEY, payload text NOT NULL)');
  await db.close();
  syncTree(join(dataDir, 'pgdata'));

  const journal = new PowerCutJournal();
  journal.snapshotBaseline(join(dataDir, 'pgdata'));
  db = await openDatabase({ dataDir, durable, observer: journal, ...quiet });
  for (let id = 1; id <= commits; id++) {
    await db.query('INSERT INTO storage_probe (id, payload) VALUES ($1, $2)', [id, 'x'.repeat((id * 37) % 1500)]);
    journal.ack(id);
    if (id === Math.floor(commits / 3)) await db.exec('CHECKPOINT');
    if (id === Math.floor(commits / 2) || id === Math.floor((2 * commits) / 3)) await db.query('SELECT pg_switch_wal()');
    if (id % 25 === 0) {
      await db.query('UPDATE storage_probe SET payload = payload || $1 WHERE id % 7 = 0', ['u']);
      journal.ack(-id); // a marker only; negative ids are not checked
    }
  }
  await db.close();
  journal.stop();
  return journal;
}

async function reopenAndCheck(dir: string, acked: number[], withAmcheck: boolean) {
  const db = await openDatabase({ dataDir: dir, durable: false, migrate: false, extensions: withAmcheck ? { amcheck } : undefined, ...quiet });
  try {
    const { rows } = await db.query<{ id: string }>('SELECT id::text FROM storage_probe');
    const present = new Set(rows.map((r) => Number(r.id)));
    const missing = acked.filter((id) => id > 0 && !present.has(id));
    const problems = withAmcheck ? (await checkConsistency(db)).problems : [];
    return { missing, problems, present: present.size };
  } finally {
    await db.close();
  }
}

describe('storage survives a simulated power cut', () => {
  let work: string;
  let template: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-powercut-'));
    template = await ensureTestTemplate();
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it(`keeps every acknowledged row at ${CUTS} cut points (strict and subset)`, async () => {
    const journal = await record(work, template, true, 120);
    const ops = journal.ops;
    const seed = Number(process.env.SIMPUL_POWERCUT_SEED ?? Date.now());
    const rand = lcg(seed);
    const ackIdx = ops.flatMap((o, i) => (o.op === 'ack' ? [i + 1] : []));
    const cuts = new Set<number>();
    while (cuts.size < CUTS) {
      cuts.add(rand() < 0.5 ? ackIdx[Math.floor(rand() * ackIdx.length)] : Math.floor(rand() * (ops.length + 1)));
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    const replayer = new PowerCutReplayer(journal);
    const summary: string[] = [];
    for (let i = 0; i < sorted.length; i++) {
      replayer.advanceTo(sorted[i]);
      const subset = i % 2 === 1;
      const dir = join(work, `cut-${i}`);
      fs.mkdirSync(dir);
      const meta = replayer.materialize(join(dir, 'pgdata'), subset ? lcg(seed + i) : null);
      const r = await reopenAndCheck(dir, replayer.acked, i % 4 === 0 || i === sorted.length - 1);
      fs.rmSync(dir, { recursive: true, force: true });
      const what = `cut ${i} at op ${sorted[i]}/${ops.length} (${subset ? 'subset' : 'strict'}, seed ${seed}, meta ${meta.metaOps})`;
      expect(r.missing, `${what}: acknowledged rows lost`).toEqual([]);
      expect(r.problems, `${what}: amcheck`).toEqual([]);
      summary.push(`${sorted[i]}:${replayer.acked.filter((a) => a > 0).length}/${r.present}`);
    }
    const counts = ops.reduce<Record<string, number>>((m, o) => ((m[o.op] = (m[o.op] ?? 0) + 1), m), {});
    console.log(`power cut: journal ${JSON.stringify(counts)}; cut:acked/present ${summary.join(' ')}`);
  }, 360_000);

  it('the same simulation loses acknowledged rows with durable=false (PGlite stock): the method has teeth', async () => {
    const journal = await record(work, template, false, 20);
    const replayer = new PowerCutReplayer(journal);
    const lastAck = journal.ops.map((o) => o.op).lastIndexOf('ack') + 1;
    replayer.advanceTo(lastAck);
    const dir = join(work, 'cut-nodurable');
    fs.mkdirSync(dir);
    replayer.materialize(join(dir, 'pgdata'), null);
    const r = await reopenAndCheck(dir, replayer.acked, false);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(replayer.acked.filter((a) => a > 0).length).toBe(20);
    expect(r.missing.length).toBe(20);
  }, 60_000);
});
