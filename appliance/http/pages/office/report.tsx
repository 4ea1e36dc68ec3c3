import type { Child } from 'hono/jsx';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words, format, type Words } from '../../../words/index.ts';
import { actorOf } from '../../access.ts';
import { audit } from '../../../clinic/audit.ts';
import { clinicDay } from '../../../clinic/clock.ts';
import { clinicReport, reportPeriod, reportRangeMaxDays, type ClinicReport } from '../../../clinic/reports.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { pageCss, uplotCss } from '../bundles.ts';
import { StaffLayout } from '../staff/layout.tsx';
import type { PageWords, ReportWord } from '../../../words/page-words.ts';

/**
 * /staff/laporan: the clinic's report for a day or a range of days, rendered on the server (it
 * prints and reads without script), with a chart of the numbers taken per hour or per day drawn
 * by browser/laporan.ts with uPlot (bundled from node_modules, served by the box). The admin sends
 * the figures to the district office; the head of the puskesmas (a doctor) reads how the day went.
 */
const chartCss = uplotCss();
const reportCss = pageCss('office');

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** The form's dates as a report period, or the problem to show next to a field. */
export function reportFormPeriod(from: string, to: string): { period: string } | { field: 'from' | 'to'; problem: 'format' | 'reversed' | 'too_long' } {
  if (!isoDay.test(from) || !reportPeriod.safeParse(from).success) return { field: 'from', problem: 'format' };
  if (!isoDay.test(to) || !reportPeriod.safeParse(to).success) return { field: 'to', problem: 'format' };
  if (from > to) return { field: 'from', problem: 'reversed' };
  const period = from === to ? from : `${from}..${to}`;
  if (!reportPeriod.safeParse(period).success) return { field: 'to', problem: 'too_long' };
  return { period };
}

/** One date of the range, with its problem said next to it (and tied to it for screen readers). */
function DateField(p: { name: 'from' | 'to'; label: string; value: string; problem: string | null }) {
  return (
    <div>
      <label for={`r-${p.name}`}>{p.label}</label>
      <input
        id={`r-${p.name}`}
        name={p.name}
        type="date"
        value={p.value}
        data-testid={`report-${p.name}`}
        aria-invalid={p.problem ? 'true' : undefined}
        aria-describedby={p.problem ? 'r-problem' : undefined}
      />
      {p.problem ? (
        <div class="field-err" id="r-problem" role="alert" data-testid="report-problem">
          {p.problem}
        </div>
      ) : null}
    </div>
  );
}

const minutes = (v: number | null) => (v == null ? '—' : String(v).replace('.', ','));

export function registerReportPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/laporan', ['admin', 'doctor'], async (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { db, settings } = c.get('deps');
    const now = c.get('deps').now?.() ?? new Date();
    const today = clinicDay(now, settings.timeZone);
    const from = c.req.query('from') || today;
    const to = c.req.query('to') || from;
    const chosen = reportFormPeriod(from, to);
    let report: ClinicReport | null = null;
    if ('period' in chosen) {
      report = await clinicReport(db, settings, chosen.period, now);
      await audit(db, actorOf(c), 'list', 'report', null, null, chosen.period);
    }
    const problem =
      'problem' in chosen
        ? chosen.problem === 'reversed'
          ? w.rep_rangeReversed
          : chosen.problem === 'too_long'
            ? format(w.rep_rangeTooLong, { days: reportRangeMaxDays })
            : w.rep_dateFormat
        : null;
    const csv = (section: string) => `/api/v1/reports/${report!.period}?format=csv&section=${section}${lang === 'en' ? '&lang=en' : ''}`;
    return render(
      c,
      <StaffLayout
        c={c}
        title={w.rep_title}
        scripts={['laporan']}
        extraCss={chartCss + reportCss}
        strings={{ rep_taken: w.rep_taken, csv_served: w.csv_served, rep_hour: w.rep_hour, rep_day: w.rep_day } satisfies PageWords<ReportWord>}
        data={{ series: report?.series ?? null }}
      >
        <main class="report">
          <h1>{w.rep_title}</h1>
          <form method="get" action="/staff/laporan" class="filters noprint" data-testid="report-form" novalidate>
            <DateField name="from" label={w.from} value={from} problem={problem && 'field' in chosen && chosen.field === 'from' ? problem : null} />
            <DateField name="to" label={w.to} value={to} problem={problem && 'field' in chosen && chosen.field === 'to' ? problem : null} />
            <div>
              <button type="submit" data-testid="report-show">
                {w.rep_show}
              </button>
            </div>
            <div class="row">
              <a class="btn sec" href={`/staff/laporan?from=${today}&to=${today}`} data-testid="report-today">
                {w.rep_today}
              </a>
              <a class="btn sec" href={`/staff/laporan?from=${today.slice(0, 8)}01&to=${today}`} data-testid="report-month">
                {w.rep_thisMonth}
              </a>
            </div>
          </form>
          {report ? <ReportBody w={w} r={report} csv={csv} /> : null}
        </main>
      </StaffLayout>,
    );
  });
}

function Csv(p: { href: string; w: Words; testid: string }) {
  return (
    <a class="noprint csv" href={p.href} download data-testid={p.testid}>
      {p.w.rep_csv}
    </a>
  );
}

/** A column of a report table: its heading, whether it holds numbers (right-aligned), and its cell. */
interface Column<T> {
  head: string;
  num?: boolean;
  cell: (row: T) => Child;
}

/**
 * One table of the report, scrollable on a phone. `empty`: what to say when there is no row (null:
 * say nothing; absent: the table is shown empty). `row`: a row's test id and class.
 */
function ReportTable<T>(p: { columns: Column<T>[]; rows: T[]; testid?: string; empty?: string | null; row?: (r: T) => { testid?: string; class?: string } }) {
  if (!p.rows.length && p.empty !== undefined) return p.empty === null ? null : <p class="muted">{p.empty}</p>;
  return (
    <div class="tbl-wrap" tabindex={0}>
      <table data-testid={p.testid}>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th class={c.num ? 'num' : undefined}>{c.head}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => {
            const a = p.row?.(r);
            return (
              <tr data-testid={a?.testid} class={a?.class}>
                {p.columns.map((c) => (
                  <td class={c.num ? 'num' : undefined}>{c.cell(r)}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ReportBody({ w, r, csv }: { w: Words; r: ClinicReport; csv: (s: string) => string }) {
  const totals = r.visitsByPoli.reduce((t, v) => ({ taken: t.taken + v.taken, served: t.served + v.served, visits: t.visits + v.visits }), { taken: 0, served: 0, visits: 0 });
  const poliName = new Map(r.visitsByPoli.map((v) => [v.poli, v.name]));
  const num = true;
  return (
    <>
      <p class="period" data-testid="report-period">
        {r.facility.name} ({r.facility.code}) · {r.firstDay === r.lastDay ? r.firstDay : `${r.firstDay} – ${r.lastDay}`}
        <button type="button" class="sec noprint" id="print" data-testid="report-print">
          {w.print}
        </button>
      </p>
      <div class="stats" data-testid="report-totals">
        <div>
          <div class="muted">{w.csv_numbersTaken}</div>
          <div class="stat">{totals.taken}</div>
        </div>
        <div>
          <div class="muted">{w.csv_served}</div>
          <div class="stat">{totals.served}</div>
        </div>
        <div>
          <div class="muted">{w.csv_visits}</div>
          <div class="stat">{totals.visits}</div>
        </div>
        <div>
          <div class="muted">{w.rep_referrals}</div>
          <div class="stat">{r.referrals.total}</div>
        </div>
      </div>
      <section class="card">
        <h2>{r.series.unit === 'hour' ? w.rep_chartHour : w.rep_chartDay}</h2>
        <figure id="chart" class="chart" data-testid="report-chart" aria-label={r.series.unit === 'hour' ? w.rep_chartHour : w.rep_chartDay} role="img"></figure>
      </section>
      <section class="card" data-testid="report-visits">
        <h2>
          {w.rep_visitsByPoli} <Csv href={csv('visits')} w={w} testid="csv-visits" />
        </h2>
        <ReportTable
          rows={r.visitsByPoli}
          row={(v) => ({ testid: `visits-${v.poli}` })}
          columns={[
            { head: w.field_poli, cell: (v) => v.name },
            { head: w.csv_numbersTaken, num, cell: (v) => v.taken },
            { head: w.csv_served, num, cell: (v) => v.served },
            { head: w.csv_noShow, num, cell: (v) => v.noShow },
            { head: w.st_skipped, num, cell: (v) => v.skipped },
            { head: w.csv_unfinished, num, cell: (v) => v.unfinished },
            { head: w.csv_visits, num, cell: (v) => v.visits },
            { head: w.csv_remoteVisits, num, cell: (v) => v.remoteVisits },
          ]}
        />
      </section>
      <section class="card" data-testid="report-times">
        <h2>
          {w.rep_times} <Csv href={csv('times')} w={w} testid="csv-times" />
        </h2>
        <ReportTable
          rows={r.times}
          empty={w.rep_nothing}
          row={(t) => ({ testid: `times-${t.poli}` })}
          columns={[
            { head: w.field_poli, cell: (t) => poliName.get(t.poli) ?? t.poli },
            { head: w.csv_patientsCalled, num, cell: (t) => t.wait.count },
            { head: w.csv_waitAverage, num, cell: (t) => minutes(t.wait.average) },
            { head: w.csv_waitMedian, num, cell: (t) => minutes(t.wait.median) },
            { head: w.csv_patientsFinished, num, cell: (t) => t.service.count },
            { head: w.csv_serviceAverage, num, cell: (t) => minutes(t.service.average) },
            { head: w.csv_serviceMedian, num, cell: (t) => minutes(t.service.median) },
          ]}
        />
      </section>
      <section class="card" data-testid="report-diagnoses">
        <h2>
          {w.rep_topDiagnoses} <Csv href={csv('lb1')} w={w} testid="csv-lb1" />
        </h2>
        <ReportTable
          rows={r.topDiagnoses}
          empty={w.rep_nothing}
          row={(d) => ({ testid: `diagnosis-${d.code}` })}
          columns={[
            { head: w.csv_icd10Code, cell: (d) => d.code },
            { head: w.csv_disease, cell: (d) => d.name },
            { head: w.csv_total, num, cell: (d) => d.total },
          ]}
        />
      </section>
      <section class="card" data-testid="report-prescriptions">
        <h2>
          {w.rep_prescriptions} <Csv href={csv('medicines')} w={w} testid="csv-medicines" />
        </h2>
        <p>
          {format(w.rep_prescriptionsLine, {
            issued: r.prescriptions.issued,
            dispensed: r.prescriptions.dispensed + r.prescriptions.pickedUp,
            waiting: r.prescriptions.waiting,
          })}
        </p>
        <ReportTable
          rows={r.prescriptions.medicines.slice(0, 10)}
          empty={null}
          columns={[
            { head: w.medicine, cell: (m) => `${m.name} ${m.strength}` },
            { head: w.csv_prescriptions, num, cell: (m) => m.prescriptions },
            { head: w.csv_quantityPrescribed, num, cell: (m) => `${m.quantity} ${m.unit}` },
          ]}
        />
        <h3>
          {format(w.rep_stockLow, { days: r.stockLow.threshold.days })} <Csv href={csv('stock')} w={w} testid="csv-stock" />
        </h3>
        <ReportTable
          rows={r.stockLow.items}
          testid="report-stock"
          empty={w.rep_stockEnough}
          row={(s) => ({ class: s.stock === 0 ? 'out' : undefined })}
          columns={[
            { head: w.medicine, cell: (s) => `${s.name} ${s.strength}` },
            { head: w.stockHeader, num, cell: (s) => `${s.stock} ${s.unit}` },
            { head: w.csv_usePerDay, num, cell: (s) => minutes(s.dailyUse) },
            { head: w.csv_lastsDays, num, cell: (s) => s.daysLeft ?? '—' },
          ]}
        />
      </section>
      <section class="card" data-testid="report-referrals">
        <h2>
          {w.rep_referralsByHospital} <Csv href={csv('referrals')} w={w} testid="csv-referrals" />
        </h2>
        <ReportTable
          rows={r.referrals.byHospital}
          empty={w.rep_nothing}
          row={(h) => ({ testid: `referrals-${h.hospitalCode}` })}
          columns={[
            { head: w.field_hospitalCode, cell: (h) => h.hospitalName },
            { head: w.csv_total, num, cell: (h) => h.total },
            { head: w.field_emergency, num, cell: (h) => h.emergency },
          ]}
        />
      </section>
    </>
  );
}
