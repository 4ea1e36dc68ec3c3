/**
 * The clinic's report for a day or a month: visits by poli, waiting and service times, the
 * morbidity report (LB1), prescriptions and stock running low, referrals by hospital.
 * Figures only: no names, NIKs or notes (the report is printed and sent to the district office).
 * Read straight from the tables with SQL, one statement per section.
 */
import type { Queryable } from './db.ts';
import { addDays, localInstant } from './clock.ts';
import { getIcd10 } from './icd10.ts';
import { ClinicError } from './errors.ts';
import { text } from './text.ts';
import type { ClinicSettings } from './settings.ts';

const isDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) || 0).toISOString().slice(0, 10) === d;

/** The longest range a report covers (a year and a day: a leap year's whole year with room to spare). */
export const reportRangeMaxDays = 366;

/**
 * A clinic day `YYYY-MM-DD`, a month `YYYY-MM`, or a range of days `YYYY-MM-DD..YYYY-MM-DD`
 * (both ends included; the report page's "from" and "to").
 */
export const reportPeriod = text()
  .regex(/^\d{4}-(0[1-9]|1[0-2])((-(0[1-9]|[12]\d|3[01]))(\.\.\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))?)?$/, 'period_format')
  .refine((p) => p.length === 7 || p.split('..').every(isDay), 'period_not_a_date')
  .refine((p) => p.length !== 22 || p.slice(0, 10) <= p.slice(12), 'period_range_reversed')
  .refine((p) => p.length !== 22 || Date.parse(p.slice(12)) - Date.parse(p.slice(0, 10)) < reportRangeMaxDays * 86_400_000, 'period_range_too_long');

export interface PeriodRange {
  period: string;
  kind: ReportKind;
  /** First clinic day, and the day after the last (local dates). */
  firstDay: string;
  endDay: string;
  /** The same as instants (local midnight to local midnight). */
  from: string;
  to: string;
}

export type ReportKind = 'day' | 'month' | 'range';

export function periodRange(period: string, timeZone: string): PeriodRange {
  const kind: ReportKind = period.length === 7 ? 'month' : period.length === 10 ? 'day' : 'range';
  const firstDay = kind === 'month' ? `${period}-01` : period.slice(0, 10);
  let endDay: string;
  if (kind === 'range') endDay = addDays(period.slice(12), 1);
  else if (kind === 'month') {
    const [y, m] = period.split('-').map(Number);
    endDay = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  } else endDay = addDays(firstDay, 1);
  return {
    period,
    kind,
    firstDay,
    endDay,
    from: localInstant(firstDay, '00:00', timeZone).toISOString(),
    to: localInstant(endDay, '00:00', timeZone).toISOString(),
  };
}

/**
 * Age groups of the LB1 form (laporan bulanan data kesakitan, SP2TP/SP3): 0–7 days, 8–28 days,
 * 29 days to under 1 year, then years. The district's own form may differ slightly; the groups
 * are data here so that a change is one line.
 */
export const lb1AgeGroups = ['0-7h', '8-28h', '29h-<1th', '1-4th', '5-9th', '10-14th', '15-19th', '20-44th', '45-54th', '55-59th', '60-69th', '70+th'] as const;
export type Lb1AgeGroup = (typeof lb1AgeGroups)[number];

export interface VisitsByPoli {
  poli: string;
  name: string;
  /** Queue numbers taken, served (done), not come (no-show), skipped, still waiting or called. */
  taken: number;
  served: number;
  noShow: number;
  skipped: number;
  unfinished: number;
  /** Visits (encounters) opened, and of them by audio-visual, audio or chat. */
  visits: number;
  remoteVisits: number;
}

export interface TimesByPoli {
  poli: string;
  /** Minutes from taking a number to being called; from being called to finished. */
  wait: { count: number; average: number | null; median: number | null; p90: number | null };
  service: { count: number; average: number | null; median: number | null; p90: number | null };
}

export interface Lb1Row {
  code: string;
  name: string;
  total: number;
  /** Kasus baru / kasus lama by sex (L, P). */
  newCases: { L: number; P: number };
  oldCases: { L: number; P: number };
  /** Every case by age group and sex, in the order of `lb1AgeGroups`. */
  byAge: { group: Lb1AgeGroup; L: number; P: number }[];
}

export interface MedicineUse {
  formularyId: string;
  name: string;
  strength: string;
  unit: string;
  prescriptions: number;
  quantity: number;
}

export interface StockLow {
  formularyId: string;
  name: string;
  strength: string;
  unit: string;
  stock: number;
  /** Quantity prescribed in the 30 days before the report's end, per day. */
  dailyUse: number;
  /** Days the stock lasts at that rate; null when nothing was prescribed. */
  daysLeft: number | null;
}

export interface ReferralsByHospital {
  hospitalCode: string;
  hospitalName: string;
  total: number;
  emergency: number;
  /** By status: issued, sent, accepted, scheduled, rejected, used, expired. */
  byStatus: Record<string, number>;
}

/**
 * Queue numbers taken and served over the period, for the report's chart: by hour of the clinic
 * day for a day (when the desk is busiest), by day otherwise. `at` is the local hour `HH` or day.
 */
export interface ReportSeries {
  unit: 'hour' | 'day';
  points: { at: string; taken: number; served: number }[];
}

export interface ClinicReport {
  period: string;
  kind: ReportKind;
  firstDay: string;
  lastDay: string;
  facility: { code: string; name: string };
  generatedAt: string;
  visitsByPoli: VisitsByPoli[];
  series: ReportSeries;
  times: TimesByPoli[];
  lb1: { ageGroups: readonly Lb1AgeGroup[]; rule: string; rows: Lb1Row[] };
  topDiagnoses: { code: string; name: string; total: number }[];
  prescriptions: { issued: number; dispensed: number; pickedUp: number; waiting: number; items: number; medicines: MedicineUse[] };
  stockLow: { threshold: { days: number }; items: StockLow[] };
  referrals: { total: number; emergency: number; byHospital: ReferralsByHospital[] };
}

/** Stock lasting fewer days than this at the last 30 days' rate (or none at all) is "running low". */
export const stockLowDays = 14;

const lb1Rule =
  'All diagnoses (primary and secondary) of visits closed in the period. A case is old (kasus lama) when the same patient had the same code at an earlier visit in the same calendar year; otherwise new (kasus baru).';

const num = (v: unknown) => (v == null ? null : Math.round(Number(v) * 10) / 10);

export async function clinicReport(db: Queryable, settings: ClinicSettings, period: string, now: Date = new Date()): Promise<ClinicReport> {
  const parsed = reportPeriod.safeParse(period);
  if (!parsed.success) throw new ClinicError('invalid', 'period must be YYYY-MM-DD or YYYY-MM', { field: 'period', problem: 'period_format' });
  const r = periodRange(period, settings.timeZone);
  const polis = new Map(settings.polis.map((p) => [p.code, p.name]));
  const poliOrder = (code: string) => {
    const i = settings.polis.findIndex((p) => p.code === code);
    return i < 0 ? settings.polis.length : i;
  };

  // Visits by poli: the queue's numbers (by clinic day) and the visits opened (by time).
  const tickets = await db.query<{ poli: string; taken: number; served: number; no_show: number; skipped: number; unfinished: number }>(
    `SELECT poli, count(*)::int AS taken,
            count(*) FILTER (WHERE status = 'done')::int AS served,
            count(*) FILTER (WHERE status = 'no_show')::int AS no_show,
            count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
            count(*) FILTER (WHERE status IN ('waiting','called','serving'))::int AS unfinished
       FROM queue_tickets WHERE day >= $1 AND day < $2 GROUP BY poli`,
    [r.firstDay, r.endDay],
  );
  const visits = await db.query<{ poli: string; visits: number; remote: number }>(
    `SELECT poli, count(*)::int AS visits, count(*) FILTER (WHERE mode <> 'in_person')::int AS remote
       FROM encounters WHERE opened_at >= $1 AND opened_at < $2 GROUP BY poli`,
    [r.from, r.to],
  );
  const byPoli = new Map<string, VisitsByPoli>();
  const entry = (poli: string) => {
    let v = byPoli.get(poli);
    if (!v) byPoli.set(poli, (v = { poli, name: polis.get(poli) ?? poli, taken: 0, served: 0, noShow: 0, skipped: 0, unfinished: 0, visits: 0, remoteVisits: 0 }));
    return v;
  };
  for (const p of settings.polis) entry(p.code);
  for (const t of tickets.rows) Object.assign(entry(t.poli), { taken: t.taken, served: t.served, noShow: t.no_show, skipped: t.skipped, unfinished: t.unfinished });
  for (const v of visits.rows) Object.assign(entry(v.poli), { visits: v.visits, remoteVisits: v.remote });
  const visitsByPoli = [...byPoli.values()].sort((a, b) => poliOrder(a.poli) - poliOrder(b.poli) || a.poli.localeCompare(b.poli));

  // The chart's series: every hour of the day or every day of the period, empty ones included.
  const unit = r.kind === 'day' ? 'hour' : 'day';
  const counts = await db.query<{ at: string; taken: number; served: number }>(
    unit === 'hour'
      ? `SELECT lpad(extract(hour FROM taken_at AT TIME ZONE $3)::int::text, 2, '0') AS at, count(*)::int AS taken,
                count(*) FILTER (WHERE status = 'done')::int AS served
           FROM queue_tickets WHERE day >= $1 AND day < $2 GROUP BY 1`
      : `SELECT day::text AS at, count(*)::int AS taken, count(*) FILTER (WHERE status = 'done')::int AS served
           FROM queue_tickets WHERE day >= $1 AND day < $2 AND $3::text IS NOT NULL GROUP BY 1`,
    [r.firstDay, r.endDay, settings.timeZone],
  );
  const byAt = new Map(counts.rows.map((x) => [x.at, x]));
  const slots: string[] = [];
  if (unit === 'hour') for (let h = 0; h < 24; h++) slots.push(String(h).padStart(2, '0'));
  else for (let d = r.firstDay; d < r.endDay; d = addDays(d, 1)) slots.push(d);
  const series: ReportSeries = { unit, points: slots.map((at) => ({ at, taken: byAt.get(at)?.taken ?? 0, served: byAt.get(at)?.served ?? 0 })) };

  // Waiting (taken → called) and service (called → finished) times, from the tickets' timestamps.
  const times = await db.query<Record<string, unknown> & { poli: string }>(
    `WITH t AS (
       SELECT poli, extract(epoch FROM called_at - taken_at) / 60 AS wait,
              CASE WHEN status = 'done' THEN extract(epoch FROM finished_at - called_at) / 60 END AS service
         FROM queue_tickets WHERE day >= $1 AND day < $2 AND called_at IS NOT NULL)
     SELECT poli, count(wait)::int AS wait_n, avg(wait) AS wait_avg,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY wait) AS wait_med, percentile_cont(0.9) WITHIN GROUP (ORDER BY wait) AS wait_p90,
            count(service)::int AS service_n, avg(service) AS service_avg,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY service) AS service_med, percentile_cont(0.9) WITHIN GROUP (ORDER BY service) AS service_p90
       FROM t GROUP BY poli`,
    [r.firstDay, r.endDay],
  );
  const timesByPoli: TimesByPoli[] = times.rows
    .map((t) => ({
      poli: t.poli,
      wait: { count: Number(t.wait_n), average: num(t.wait_avg), median: num(t.wait_med), p90: num(t.wait_p90) },
      service: { count: Number(t.service_n), average: num(t.service_avg), median: num(t.service_med), p90: num(t.service_p90) },
    }))
    .sort((a, b) => poliOrder(a.poli) - poliOrder(b.poli) || a.poli.localeCompare(b.poli));

  // LB1: every diagnosis of the period's closed visits, by code, sex, age group and new/old.
  const lb1 = await db.query<{ code: string; sex: 'L' | 'P'; age_group: number; old: boolean; n: number }>(
    `WITH d AS (
       SELECT e.id, e.patient_id, e.opened_at, x->>'code' AS code, p.sex,
              (e.opened_at AT TIME ZONE $3)::date AS local_day, p.birth_date
         FROM encounters e JOIN patients p ON p.id = e.patient_id, jsonb_array_elements(e.diagnoses) x
        WHERE e.status = 'closed' AND e.opened_at >= $1 AND e.opened_at < $2)
     SELECT code, sex,
            CASE WHEN local_day - birth_date <= 7 THEN 0
                 WHEN local_day - birth_date <= 28 THEN 1
                 ELSE CASE
                   WHEN extract(year FROM age(local_day, birth_date)) < 1 THEN 2
                   WHEN extract(year FROM age(local_day, birth_date)) < 5 THEN 3
                   WHEN extract(year FROM age(local_day, birth_date)) < 10 THEN 4
                   WHEN extract(year FROM age(local_day, birth_date)) < 15 THEN 5
                   WHEN extract(year FROM age(local_day, birth_date)) < 20 THEN 6
                   WHEN extract(year FROM age(local_day, birth_date)) < 45 THEN 7
                   WHEN extract(year FROM age(local_day, birth_date)) < 55 THEN 8
                   WHEN extract(year FROM age(local_day, birth_date)) < 60 THEN 9
                   WHEN extract(year FROM age(local_day, birth_date)) < 70 THEN 10
                   ELSE 11 END END AS age_group,
            EXISTS (SELECT 1 FROM encounters e2
                     WHERE e2.patient_id = d.patient_id AND e2.status = 'closed' AND e2.opened_at < d.opened_at
                       AND e2.opened_at >= (date_trunc('year', d.local_day) AT TIME ZONE $3)
                       AND e2.diagnoses @> jsonb_build_array(jsonb_build_object('code', d.code))) AS old,
            count(*)::int AS n
       FROM d GROUP BY 1, 2, 3, 4`,
    [r.from, r.to, settings.timeZone],
  );
  const rows = new Map<string, Lb1Row>();
  for (const x of lb1.rows) {
    let row = rows.get(x.code);
    if (!row) {
      row = {
        code: x.code,
        name: getIcd10(x.code)?.name ?? x.code,
        total: 0,
        newCases: { L: 0, P: 0 },
        oldCases: { L: 0, P: 0 },
        byAge: lb1AgeGroups.map((group) => ({ group, L: 0, P: 0 })),
      };
      rows.set(x.code, row);
    }
    row.total += x.n;
    (x.old ? row.oldCases : row.newCases)[x.sex] += x.n;
    row.byAge[x.age_group][x.sex] += x.n;
  }
  const lb1Rows = [...rows.values()].sort((a, b) => b.total - a.total || a.code.localeCompare(b.code));

  // Prescriptions issued in the period, and the medicines on them.
  const rx = await db.query<{ issued: number; dispensed: number; picked_up: number; waiting: number }>(
    `SELECT count(*)::int AS issued, count(*) FILTER (WHERE status = 'dispensed')::int AS dispensed,
            count(*) FILTER (WHERE status = 'picked_up')::int AS picked_up, count(*) FILTER (WHERE status = 'issued')::int AS waiting
       FROM prescriptions WHERE issued_at >= $1 AND issued_at < $2`,
    [r.from, r.to],
  );
  const medicines = await db.query<{ formulary_id: string; name: string; strength: string; unit: string; prescriptions: number; quantity: number }>(
    `SELECT f.id AS formulary_id, f.name, f.strength, f.unit, count(DISTINCT i.prescription_id)::int AS prescriptions, sum(i.quantity)::int AS quantity
       FROM prescriptions p JOIN prescription_items i ON i.prescription_id = p.id JOIN formulary f ON f.id = i.formulary_id
      WHERE p.issued_at >= $1 AND p.issued_at < $2
      GROUP BY f.id, f.name, f.strength, f.unit ORDER BY quantity DESC, f.name`,
    [r.from, r.to],
  );
  const items = medicines.rows.reduce((n, m) => n + m.prescriptions, 0);

  // Stock as it is now, against the last 30 days' prescribing before the report's end (or now).
  const until = new Date(Math.min(Date.parse(r.to), now.getTime())).toISOString();
  const stock = await db.query<{ id: string; name: string; strength: string; unit: string; stock: number; used: number }>(
    `WITH used AS (
       SELECT i.formulary_id, sum(i.quantity)::int AS used
         FROM prescriptions p JOIN prescription_items i ON i.prescription_id = p.id
        WHERE p.issued_at >= $1::timestamptz - interval '30 days' AND p.issued_at < $1
        GROUP BY i.formulary_id)
     SELECT f.id, f.name, f.strength, f.unit, f.stock, coalesce(u.used, 0) AS used
       FROM formulary f LEFT JOIN used u ON u.formulary_id = f.id WHERE f.active`,
    [until],
  );
  const stockLow: StockLow[] = stock.rows
    .map((s) => {
      const dailyUse = Math.round((s.used / 30) * 10) / 10;
      const daysLeft = s.used > 0 ? Math.floor(s.stock / (s.used / 30)) : null;
      return { formularyId: s.id, name: s.name, strength: s.strength, unit: s.unit, stock: s.stock, dailyUse, daysLeft };
    })
    .filter((s) => s.stock === 0 || (s.daysLeft !== null && s.daysLeft < stockLowDays))
    .sort((a, b) => (a.daysLeft ?? -1) - (b.daysLeft ?? -1) || a.name.localeCompare(b.name));

  // Referrals made in the period (drafts are not referrals yet), by hospital and status.
  const refs = await db.query<{ code: string; name: string; status: string; emergency: number; n: number }>(
    `SELECT hospital_code AS code, hospital_name AS name, status, count(*) FILTER (WHERE emergency)::int AS emergency, count(*)::int AS n
       FROM referrals WHERE created_at >= $1 AND created_at < $2 AND status <> 'draft'
      GROUP BY 1, 2, 3`,
    [r.from, r.to],
  );
  const hospitals = new Map<string, ReferralsByHospital>();
  for (const x of refs.rows) {
    let h = hospitals.get(x.code);
    if (!h) hospitals.set(x.code, (h = { hospitalCode: x.code, hospitalName: x.name, total: 0, emergency: 0, byStatus: {} }));
    h.total += x.n;
    h.emergency += x.emergency;
    h.byStatus[x.status] = (h.byStatus[x.status] ?? 0) + x.n;
  }
  const byHospital = [...hospitals.values()].sort((a, b) => b.total - a.total || a.hospitalName.localeCompare(b.hospitalName));

  return {
    period,
    kind: r.kind,
    firstDay: r.firstDay,
    lastDay: addDays(r.endDay, -1),
    facility: settings.facility,
    generatedAt: now.toISOString(),
    visitsByPoli,
    series,
    times: timesByPoli,
    lb1: { ageGroups: lb1AgeGroups, rule: lb1Rule, rows: lb1Rows },
    topDiagnoses: lb1Rows.slice(0, 10).map(({ code, name, total }) => ({ code, name, total })),
    prescriptions: {
      issued: rx.rows[0].issued,
      dispensed: rx.rows[0].dispensed,
      pickedUp: rx.rows[0].picked_up,
      waiting: rx.rows[0].waiting,
      items,
      medicines: medicines.rows.map((m) => ({
        formularyId: m.formulary_id,
        name: m.name,
        strength: m.strength,
        unit: m.unit,
        prescriptions: m.prescriptions,
        quantity: m.quantity,
      })),
    },
    stockLow: { threshold: { days: stockLowDays }, items: stockLow },
    referrals: { total: byHospital.reduce((n, h) => n + h.total, 0), emergency: byHospital.reduce((n, h) => n + h.emergency, 0), byHospital },
  };
}

export const reportSections = ['visits', 'times', 'lb1', 'medicines', 'stock', 'referrals'] as const;
export type ReportSection = (typeof reportSections)[number];
