/**
 * One measurement of test/bench/storage.ts, in a fresh process (so RSS and peak RSS are its own).
 * Prints one JSON line on stdout.
 *
 *   bench-child.ts first-boot <dataDir> <templateFile|initdb>
 *   bench-child.ts load-year  <dataDir>                      a year of a puskesmas (synthetic)
 *   bench-child.ts serve      <dataDir> <sharedBuffers> <seconds>   reopen, idle RSS, RSS under load
 *   bench-child.ts commits    <dataDir> <durable 0|1> <seconds>     commits/s matrix
 *   bench-child.ts backup     <dataDir> <file>
 *   bench-child.ts restore    <file> <dataDir>
 */
import * as fs from 'node:fs';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { openDatabase, storageInfo } from '../../appliance/storage/database.ts';
import { backupDatabase, restoreBackup } from '../../appliance/storage/backup.ts';
import { GroupCommitDb } from '../../appliance/storage/group-commit.ts';

const t0 = performance.now();
const quiet = { log: () => {} };
const [mode, a, b, c] = process.argv.slice(2);

function mem() {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) };
}
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const yieldLoop = () => new Promise((r) => setImmediate(r));

const YEAR_SQL = `
CREATE TABLE IF NOT EXISTS bench_encounters (id bigint PRIMARY KEY, patient_id bigint NOT NULL, at timestamptz NOT NULL,
  polis text NOT NULL, complaint text NOT NULL, diagnosis text NOT NULL, notes text NOT NULL);
CREATE TABLE IF NOT EXISTS bench_prescriptions (id bigint PRIMARY KEY, encounter_id bigint NOT NULL REFERENCES bench_encounters(id),
  drug text NOT NULL, dose text NOT NULL, qty int NOT NULL);
CREATE TABLE IF NOT EXISTS bench_referrals (id bigserial PRIMARY KEY, encounter_id bigint NOT NULL REFERENCES bench_encounters(id),
  to_facility text NOT NULL, reason text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS bench_enc_patient ON bench_encounters(patient_id);
CREATE INDEX IF NOT EXISTS bench_enc_at ON bench_encounters(at);
CREATE INDEX IF NOT EXISTS bench_rx_enc ON bench_prescriptions(encounter_id);
CREATE INDEX IF NOT EXISTS bench_ref_enc ON bench_referrals(encounter_id);
`;

async function referral(q: { query: PGlite['query'] | Transaction['query'] }, n: number) {
  await q.query('INSERT INTO bench_referrals (encounter_id, to_facility, reason, status) VALUES ($1, $2, $3, $4)', [
    1 + (n % 60000),
    'RSUD Kabupaten',
    'Suspek DBD, trombosit turun, perlu rawat inap '.repeat(2),
    'issued',
  ]);
}

async function run() {
  if (mode === 'first-boot') {
    const db = await openDatabase({ dataDir: a, template: b === 'initdb' ? false : b, ...quiet });
    const ms = performance.now() - t0;
    await db.query('SELECT 1');
    out({ ms: Math.round(ms), openMs: Math.round(storageInfo(db)!.openMs), boot: storageInfo(db)!.boot, ...mem() });
    await db.close();
  } else if (mode === 'load-year') {
    const db = await openDatabase({ dataDir: a, ...quiet });
    await db.exec(YEAR_SQL);
    // ~60,000 encounters over a year, ~2.5 prescriptions each, ~10% referred.
    for (let m = 0; m < 12; m++) {
      await db.query(
        `INSERT INTO bench_encounters SELECT g, 1 + (g * 7919) % 15000, timestamptz '2025-01-01' + (g * interval '525 seconds'),
           (ARRAY['umum','gigi','kia','lansia'])[1 + g % 4], 'demam tiga hari, batuk, pusing ' || g, 'A' || (g % 99)::text,
           repeat('catatan pemeriksaan fisik dan anamnesis ', 8) FROM generate_series($1::int, $2::int) g`,
        [m * 5000 + 1, (m + 1) * 5000],
      );
      await db.query(
        `INSERT INTO bench_prescriptions SELECT e * 4 + k, e, 'Paracetamol 500 mg', '3x1 sesudah makan', 10
           FROM generate_series($1::int, $2::int) e, generate_series(0, 2) k WHERE k < 2 OR e % 2 = 0`,
        [m * 5000 + 1, (m + 1) * 5000],
      );
    }
    await db.query(`INSERT INTO bench_referrals (encounter_id, to_facility, reason, status)
      SELECT e, 'RSUD Kabupaten', 'rujukan ' || e, 'closed' FROM generate_series(1, 60000, 10) e`);
    await db.exec('VACUUM ANALYZE');
    await db.exec('CHECKPOINT');
    const size = (await db.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s')).rows[0].s;
    out({ ms: Math.round(performance.now() - t0), size, ...mem() });
    await db.close();
  } else if (mode === 'serve') {
    const db = await openDatabase({ dataDir: a, sharedBuffers: b, ...quiet });
    await db.query('SELECT count(*) FROM bench_encounters WHERE id = 1');
    const readyMs = performance.now() - t0;
    out({ phase: 'ready' });
    await new Promise((r) => setTimeout(r, 500));
    const idle = mem();
    // Load: 20 concurrent clients, each: look up a patient's history, today's list, and
    // every 5th request create a referral (through the box's GroupCommitDb).
    const g = new GroupCommitDb(db);
    const until = performance.now() + Number(c) * 1000;
    let reqs = 0;
    const client = async (k: number) => {
      for (let n = k; performance.now() < until; n += 20) {
        const e = 1 + ((n * 104729) % 60000);
        await db.query(
          'SELECT e.*, (SELECT json_agg(p) FROM bench_prescriptions p WHERE p.encounter_id = e.id) rx FROM bench_encounters e WHERE e.patient_id = (SELECT patient_id FROM bench_encounters WHERE id = $1) ORDER BY at DESC LIMIT 20',
          [e],
        );
        if (n % 5 === 0) await g.transaction((tx) => referral(tx, n));
        if (n % 7 === 0)
          await db.query(
            "SELECT id, polis FROM bench_encounters WHERE at >= timestamptz '2025-06-01' + ($1::int % 300) * interval '1 day' AND at < timestamptz '2025-06-02' + ($1::int % 300) * interval '1 day'",
            [n],
          );
        reqs++;
        await yieldLoop();
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, k) => client(k)));
    const load = mem();
    out({ readyMs: Math.round(readyMs), idleRssMB: idle.rssMB, loadRssMB: load.rssMB, peakMB: load.peakMB, reqPerS: Math.round(reqs / Number(c)) });
    await db.close();
  } else if (mode === 'commits') {
    const durable = b !== '0';
    const seconds = Number(c);
    const db = await openDatabase({ dataDir: a, durable, ...quiet });
    const counters = storageInfo(db)!.fs.counters;
    const results: Record<string, { perS: number; syncsPerCommit: number }> = {};
    let n = 0;
    const measure = async (name: string, writers: number, commit: (n: number) => Promise<unknown>) => {
      const s0 = counters.fdatasync;
      let done = 0;
      const until = performance.now() + seconds * 1000;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (performance.now() < until) {
            await commit(n++);
            done++;
            await yieldLoop(); // as between HTTP requests
          }
        }),
      );
      const el = (performance.now() - start) / 1000;
      results[name] = { perS: Math.round(done / el), syncsPerCommit: Number(((counters.fdatasync - s0) / done).toFixed(2)) };
    };
    const g = new GroupCommitDb(db);
    await measure('1 writer', 1, (k) => db.transaction((tx) => referral(tx, k)));
    await measure('20 writers', 20, (k) => db.transaction((tx) => referral(tx, k)));
    await measure('20 writers, GroupCommitDb', 20, (k) => g.transaction((tx) => referral(tx, k)));
    out(results);
    await db.close();
  } else if (mode === 'backup') {
    const db = await openDatabase({ dataDir: a, ...quiet });
    const r = await backupDatabase(db, b);
    out({ ms: Math.round(r.totalMs), lockedMs: Math.round(r.lockedMs), bytes: r.bytes, ...mem() });
    await db.close();
  } else if (mode === 'restore') {
    await restoreBackup(a, b);
    const restoredMs = performance.now() - t0;
    const db = await openDatabase({ dataDir: b, ...quiet });
    await db.query('SELECT count(*) FROM bench_encounters');
    out({ ms: Math.round(performance.now() - t0), extractMs: Math.round(restoredMs), ...mem() });
    await db.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

run().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  },
);
