/**
 * The clinic report over a realistic month: `npm run bench -- report`.
 * Three months of a busy puskesmas (6,000 closed visits a month, ~7,200 patients who come back),
 * then the month report (LB1 with its new/old look-back over the earlier months), a day report,
 * and each CSV section. In-memory PGlite: the tables of a month fit in shared buffers on a box too.
 */
import { openMemoryDatabase } from '../../appliance/storage/database.ts';
import { GroupCommitDb } from '../../appliance/storage/group-commit.ts';
import { seedDemo } from '../../appliance/clinic/demo.ts';
import { clinicReport, reportSections } from '../../appliance/clinic/reports.ts';
import { reportCsv } from '../../appliance/http/report-csv.ts';
import { testSettings } from '../../appliance/clinic/testing.ts';
import { writeClinicMonth } from '../support/clinic-month.ts';
import { printTable } from './table.ts';

const VISITS = Number(process.env.REPORT_VISITS ?? 6000);
const RUNS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runReportBench() {
  const db = new GroupCommitDb(await openMemoryDatabase());
  const settings = testSettings();
  await seedDemo(db, settings);
  const t0 = performance.now();
  for (const [i, month] of ['2025-01', '2025-02', '2025-03'].entries()) await writeClinicMonth(db, { month, visits: VISITS, seed: i + 11 });
  const loadMs = performance.now() - t0;
  const now = new Date('2025-04-01T12:00:00Z');
  const time = async (fn: () => Promise<unknown>) => {
    await fn(); // warm
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return { median: median(xs), max: Math.max(...xs) };
  };
  const month = await time(() => clinicReport(db, settings, '2025-03', now));
  const day = await time(() => clinicReport(db, settings, '2025-03-12', now));
  const report = await clinicReport(db, settings, '2025-03', now);
  const csvT = performance.now();
  let bytes = 0;
  for (const s of reportSections) bytes += reportCsv(report, s, 'id').length;
  const csvMs = performance.now() - csvT;
  const json = JSON.stringify(report).length;
  printTable(
    `Clinic report: ${VISITS} visits a month, three months stored (loaded in ${Math.round(loadMs / 1000)} s), median of ${RUNS}`,
    ['what', 'median ms', 'max ms', 'size'],
    [
      ['month report (JSON object)', month.median.toFixed(0), month.max.toFixed(0), `${Math.round(json / 1024)} KiB JSON, ${report.lb1.rows.length} LB1 rows`],
      ['day report', day.median.toFixed(0), day.max.toFixed(0), ''],
      ['all six CSV sections of the month', csvMs.toFixed(1), '', `${Math.round(bytes / 1024)} KiB`],
    ],
  );
  await db.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await runReportBench();
