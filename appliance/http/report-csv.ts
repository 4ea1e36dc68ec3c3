/**
 * The clinic report as CSV for a spreadsheet, one section per file. Excel-friendly:
 * - UTF-8 with a byte-order mark: without it Excel on Windows reads the file as the machine's
 *   legacy code page and names with letters beyond ASCII come out garbled.
 * - Semicolon by default, decimals with a comma: a Windows set to Indonesian (id-ID) uses `,` as
 *   the decimal mark and `;` as the list separator, and Excel splits a CSV by the list separator,
 *   so a comma file opens as one column there. `separator=comma` gives `,` and `.` decimals for
 *   English-locale Excel, LibreOffice defaults and scripts.
 * - CRLF line ends, every text cell quoted when it holds the separator, a quote or a line break;
 *   a cell starting with = + - @ is prefixed with ' so that a spreadsheet does not run it as a formula.
 */
import type { ClinicReport, ReportSection } from '../clinic/reports.ts';
import { type Lang, type WordKey, words } from '../words/index.ts';

export type CsvSeparator = 'semicolon' | 'comma';

export function reportCsv(report: ClinicReport, section: ReportSection, lang: Lang, separator: CsvSeparator = 'semicolon'): string {
  const sep = separator === 'comma' ? ',' : ';';
  const cell = (v: unknown): string => {
    if (v == null) return '';
    if (typeof v === 'number') return separator === 'comma' ? String(v) : String(v).replace('.', ',');
    let s = String(v);
    if (/^[=+\-@]/.test(s)) s = `'${s}`;
    return /[";,\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const w = words(lang);
  const lines: unknown[][] = [];
  switch (section) {
    case 'visits':
      lines.push([w.csv_poliCode, w.field_poli, w.csv_numbersTaken, w.csv_served, w.csv_noShow, w.st_skipped, w.csv_unfinished, w.csv_visits, w.csv_remoteVisits]);
      for (const v of report.visitsByPoli) lines.push([v.poli, v.name, v.taken, v.served, v.noShow, v.skipped, v.unfinished, v.visits, v.remoteVisits]);
      break;
    case 'times':
      lines.push([
        w.csv_poliCode,
        w.csv_patientsCalled,
        w.csv_waitAverage,
        w.csv_waitMedian,
        w.csv_waitP90,
        w.csv_patientsFinished,
        w.csv_serviceAverage,
        w.csv_serviceMedian,
        w.csv_serviceP90,
      ]);
      for (const x of report.times)
        lines.push([x.poli, x.wait.count, x.wait.average, x.wait.median, x.wait.p90, x.service.count, x.service.average, x.service.median, x.service.p90]);
      break;
    case 'lb1': {
      const ages = report.lb1.ageGroups.flatMap((g) => [`${g} L`, `${g} P`]);
      lines.push([w.csv_icd10Code, w.csv_disease, ...ages, w.csv_newM, w.csv_newF, w.csv_oldM, w.csv_oldF, w.csv_total]);
      for (const r of report.lb1.rows) {
        lines.push([r.code, r.name, ...r.byAge.flatMap((a) => [a.L, a.P]), r.newCases.L, r.newCases.P, r.oldCases.L, r.oldCases.P, r.total]);
      }
      break;
    }
    case 'medicines':
      lines.push([w.medicine, w.field_strength, w.field_unit, w.csv_prescriptions, w.csv_quantityPrescribed]);
      for (const m of report.prescriptions.medicines) lines.push([m.name, m.strength, m.unit, m.prescriptions, m.quantity]);
      break;
    case 'stock':
      lines.push([w.medicine, w.field_strength, w.field_unit, w.stockHeader, w.csv_usePerDay, w.csv_lastsDays]);
      for (const s of report.stockLow.items) lines.push([s.name, s.strength, s.unit, s.stock, s.dailyUse, s.daysLeft]);
      break;
    case 'referrals': {
      const statuses = ['issued', 'sent', 'accepted', 'scheduled', 'rejected', 'used', 'expired'];
      const statusWords: Record<string, WordKey> = {
        issued: 'ps_issued',
        sent: 'csv_sent',
        accepted: 'csv_accepted',
        scheduled: 'rs_scheduled_patient',
        rejected: 'csv_rejected',
        used: 'csv_used',
        expired: 'rs_expired',
      };
      lines.push([w.csv_hospitalCode, w.field_hospitalCode, w.csv_total, w.field_emergency, ...statuses.map((s) => w[statusWords[s]])]);
      for (const h of report.referrals.byHospital) lines.push([h.hospitalCode, h.hospitalName, h.total, h.emergency, ...statuses.map((s) => h.byStatus[s] ?? 0)]);
      break;
    }
  }
  return '\uFEFF' + lines.map((l) => l.map(cell).join(sep)).join('\r\n') + '\r\n';
}
