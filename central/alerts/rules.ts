/**
 * The alert rules: what is wrong, measured how, against which default threshold. Each box rule is
 * one SQL query over the registry and the box's last report that returns only the boxes past the
 * loosest threshold in force ($1), so an evaluation reads a handful of rows, not the fleet; the
 * threshold of each box's own scope (box, district, province, national) is applied after.
 * Summaries are Bahasa Indonesia first, English second.
 */
export type Direction = 'above' | 'below';

export interface RuleDef {
  id: string;
  severity: 'critical' | 'warning' | 'info';
  threshold: number;
  direction: Direction;
  /** Per box: `subject` (device id), `region_code`, `value`; `$1` the loosest threshold, `$2` now. */
  sql: string;
  summary(value: number, threshold: number): string;
}

const boxes = (value: string, extraWhere = 'true') => `
  SELECT d.id AS subject, d.region_code, (${value})::float8 AS value
    FROM devices d JOIN box_state s ON s.device_id = d.id
   WHERE d.revoked_at IS NULL AND d.last_status IS NOT NULL AND $2::timestamptz IS NOT NULL AND ${extraWhere}`;
const st = (path: string) => `(d.last_status #>> '{${path}}')`;
const fmt = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en-US');

export const RULES: RuleDef[] = [
  {
    id: 'box_offline',
    severity: 'critical',
    threshold: 30,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`extract(epoch FROM ($2::timestamptz - s.since)) / 60`, `s.state = 'offline'`)}) b WHERE value > $1`,
    summary: (v, t) => `Kotak mati ${fmt(v)} menit pada jam layanan (batas ${t}) / box offline ${fmt(v)} min during service hours (limit ${t})`,
  },
  {
    id: 'backlog_old',
    severity: 'warning',
    threshold: 24,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`${st('oldestPendingAgeSeconds')}::float8 / 3600`)}) b WHERE value > $1`,
    summary: (v, t) => `Antrean kirim tertahan ${fmt(v)} jam (batas ${t}) / backlog ${fmt(v)} h old (limit ${t})`,
  },
  {
    id: 'parked_records',
    severity: 'warning',
    threshold: 0,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`${st('parked')}::float8`)}) b WHERE value > $1`,
    summary: (v) => `${fmt(v)} catatan ditolak pusat menunggu petugas / ${fmt(v)} records parked, waiting for a person`,
  },
  {
    id: 'disk_low',
    severity: 'critical',
    threshold: 10,
    direction: 'below',
    sql: `SELECT * FROM (${boxes(`100.0 * ${st('disk,free')}::float8 / nullif(${st('disk,total')}::float8, 0)`)}) b WHERE value < $1`,
    summary: (v, t) => `Disk tersisa ${fmt(v)}% (batas ${t}%) / disk ${fmt(v)}% free (limit ${t}%)`,
  },
  {
    id: 'storage_corrupt',
    severity: 'critical',
    threshold: 0,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`CASE WHEN ${st('storage')} = 'corrupt' THEN 1 ELSE 0 END`)}) b WHERE value > $1`,
    summary: () => `Penyimpanan kotak rusak / box storage corrupt`,
  },
  {
    id: 'clock_skew',
    severity: 'warning',
    threshold: 120,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`abs(${st('clock,offsetMs')}::float8) / 1000`)}) b WHERE value > $1`,
    summary: (v, t) => `Jam kotak selisih ${fmt(v)} detik (batas ${t}) / clock off by ${fmt(v)} s (limit ${t})`,
  },
  {
    id: 'relay_restarting',
    severity: 'warning',
    threshold: 2,
    direction: 'above',
    sql: `SELECT * FROM (${boxes(`${st('relay,restarts')}::float8`)}) b WHERE value > $1`,
    summary: (v) => `Relay konsultasi mulai ulang ${fmt(v)} kali hari ini / relay restarted ${fmt(v)} times today`,
  },
  {
    id: 'cert_expiring',
    severity: 'warning',
    threshold: 30,
    direction: 'below',
    sql: `SELECT * FROM (${boxes(`extract(epoch FROM (${st('certExpiresAt')}::timestamptz - $2::timestamptz)) / 86400`)}) b WHERE value < $1`,
    summary: (v, t) => `Sertifikat TLS habis dalam ${fmt(v)} hari (batas ${t}) / TLS certificate expires in ${fmt(v)} days (limit ${t})`,
  },
  {
    id: 'no_backup',
    severity: 'warning',
    threshold: 48,
    direction: 'above',
    // A box that reports v2 but never a backup counts from its enrolment.
    sql: `SELECT * FROM (${boxes(`extract(epoch FROM ($2::timestamptz - coalesce(${st('backup,at')}::timestamptz, d.created_at))) / 3600`, `(d.last_status ->> 'v') = '2'`)}) b WHERE value > $1`,
    summary: (v, t) => `Tidak ada cadangan ${fmt(v)} jam (batas ${t}) / no backup for ${fmt(v)} h (limit ${t})`,
  },
];

/** Rules evaluated in code: the software version against the target, aggregates, the hub itself. */
export const SOFTWARE_BEHIND = { id: 'software_behind', severity: 'info' as const };
export const REGION_OFFLINE = { id: 'region_offline_share', severity: 'critical' as const, threshold: 10, minBoxes: 5 };
export const HUB_SILENT = { id: 'hub_not_receiving', severity: 'critical' as const, threshold: 5 };

/** Numeric release versions compared part by part ("0.10.2" > "0.9.9"); a tag that is not numeric compares as text. */
export function versionBehind(sw: string, target: string): boolean {
  const a = sw.split(/[.+_-]/).map(Number);
  const b = target.split(/[.+_-]/).map(Number);
  if (a.some(Number.isNaN) || b.some(Number.isNaN)) return sw !== target && sw < target;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * Local time of a box from its province (BPS code): WIB, WITA or WIT. Service hours are local:
 * a box in Papua is in service two hours before one in Jakarta.
 */
const WITA = new Set(['51', '52', '53', '63', '64', '65', '71', '72', '73', '74', '75', '76']);
const WIT = new Set(['81', '82', '91', '92', '93', '94', '95', '96', '97']);
export function utcOffsetHours(regionCode: string | null): number {
  const p = (regionCode ?? '').slice(0, 2);
  return WIT.has(p) ? 9 : WITA.has(p) ? 8 : 7;
}

/** Whether `now` is within service hours (local, e.g. 07:00–17:00) where the box is. */
export function inServiceHours(now: Date, regionCode: string | null, hours: { from: number; to: number }): boolean {
  const local = (now.getUTCHours() + utcOffsetHours(regionCode) + now.getUTCMinutes() / 60) % 24;
  return local >= hours.from && local < hours.to;
}
