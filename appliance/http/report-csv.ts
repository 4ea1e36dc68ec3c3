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
import { tr, type Lang } from './i18n.ts';

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
  const t = (id: string, en: string) => tr(lang, id, en);
  const lines: unknown[][] = [];
  switch (section) {
    case 'visits':
      lines.push([t('Kode poli', 'Poli code'), t('Poli', 'Poli'), t('Nomor diambil', 'Numbers taken'), t('Dilayani', 'Served'), t('Tidak datang', 'No-show'),
        t('Dilewati', 'Skipped'), t('Belum selesai', 'Unfinished'), t('Kunjungan', 'Visits'), t('Kunjungan jarak jauh', 'Remote visits')]);
      for (const v of report.visitsByPoli) lines.push([v.poli, v.name, v.taken, v.served, v.noShow, v.skipped, v.unfinished, v.visits, v.remoteVisits]);
      break;
    case 'times':
      lines.push([t('Kode poli', 'Poli code'), t('Pasien dipanggil', 'Patients called'), t('Tunggu rata-rata (menit)', 'Average wait (min)'), t('Tunggu median (menit)', 'Median wait (min)'),
        t('Tunggu P90 (menit)', 'P90 wait (min)'), t('Pasien selesai', 'Patients finished'), t('Layanan rata-rata (menit)', 'Average service (min)'),
        t('Layanan median (menit)', 'Median service (min)'), t('Layanan P90 (menit)', 'P90 service (min)')]);
      for (const x of report.times) lines.push([x.poli, x.wait.count, x.wait.average, x.wait.median, x.wait.p90, x.service.count, x.service.average, x.service.median, x.service.p90]);
      break;
    case 'lb1': {
      const ages = report.lb1.ageGroups.flatMap((g) => [`${g} L`, `${g} P`]);
      lines.push([t('Kode ICD-10', 'ICD-10 code'), t('Penyakit', 'Disease'), ...ages, t('Baru L', 'New M'), t('Baru P', 'New F'), t('Lama L', 'Old M'), t('Lama P', 'Old F'), t('Jumlah', 'Total')]);
      for (const r of report.lb1.rows) {
        lines.push([r.code, r.name, ...r.byAge.flatMap((a) => [a.L, a.P]), r.newCases.L, r.newCases.P, r.oldCases.L, r.oldCases.P, r.total]);
      }
      break;
    }
    case 'medicines':
      lines.push([t('Obat', 'Medicine'), t('Kekuatan', 'Strength'), t('Satuan', 'Unit'), t('Resep', 'Prescriptions'), t('Jumlah diresepkan', 'Quantity prescribed')]);
      for (const m of report.prescriptions.medicines) lines.push([m.name, m.strength, m.unit, m.prescriptions, m.quantity]);
      break;
    case 'stock':
      lines.push([t('Obat', 'Medicine'), t('Kekuatan', 'Strength'), t('Satuan', 'Unit'), t('Stok', 'Stock'), t('Pemakaian per hari', 'Use per day'), t('Cukup untuk (hari)', 'Lasts (days)')]);
      for (const s of report.stockLow.items) lines.push([s.name, s.strength, s.unit, s.stock, s.dailyUse, s.daysLeft]);
      break;
    case 'referrals': {
      const statuses = ['issued', 'sent', 'accepted', 'scheduled', 'rejected', 'used', 'expired'];
      const statusWords: Record<string, [string, string]> = {
        issued: ['Diterbitkan', 'Issued'], sent: ['Terkirim', 'Sent'], accepted: ['Diterima', 'Accepted'], scheduled: ['Dijadwalkan', 'Scheduled'],
        rejected: ['Ditolak', 'Rejected'], used: ['Digunakan', 'Used'], expired: ['Kedaluwarsa', 'Expired'],
      };
      lines.push([t('Kode RS', 'Hospital code'), t('Rumah sakit', 'Hospital'), t('Jumlah', 'Total'), t('Gawat darurat', 'Emergency'), ...statuses.map((s) => t(...statusWords[s]))]);
      for (const h of report.referrals.byHospital) lines.push([h.hospitalCode, h.hospitalName, h.total, h.emergency, ...statuses.map((s) => h.byStatus[s] ?? 0)]);
      break;
    }
  }
  return '\uFEFF' + lines.map((l) => l.map(cell).join(sep)).join('\r\n') + '\r\n';
}
