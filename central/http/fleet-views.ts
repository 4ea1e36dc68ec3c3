/**
 * The fleet console's figures as a person reads them, in one language: the overview's counts and a
 * box's health, formatted once here for both the server-rendered pages and their live updates
 * (fleet-live-schema.ts), so a row is never worded on two sides.
 */
import type { z } from 'zod';
import type { BoxDetail } from '../fleet-state/box-detail.ts';
import { BOX_STATES } from '../fleet-state/box-list.ts';
import type { BoxStateReason } from '../fleet-state/fleet-state.ts';
import type { FleetOverview } from '../fleet-state/overview.ts';
import type { boxLive, overviewLive } from './fleet-live-schema.ts';
import { hubWords, type HubLang } from './words.ts';

const DAY_MS = 86_400_000;
/** The alert rules' defaults (alerts/rules.ts), so the page flags what the alerts would. */
const WARN = { diskFreePct: 10, clockSkewS: 120, certDays: 30, backupHours: 48, backlogAgeS: 24 * 3600 };

/** A time as an operator in Indonesia reads it: date and minute, UTC marked. */
export const shownTime = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

const round1 = (n: number) => Math.round(n * 10) / 10;
const duration = (lang: HubLang, seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return hubWords[lang].uptime(Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60));
};

/**
 * Why a box is in its state, in the operator's language. A silent box's length of silence is
 * from its last report to when the hub marked it offline.
 */
export function reasonText(b: { reason: BoxStateReason; since: string | null; lastReportAt: string | null }, lang: HubLang): string {
  const w = hubWords[lang];
  if (b.reason === 'silent' && b.since && b.lastReportAt) {
    const s = Math.max(0, Math.round((Date.parse(b.since) - Date.parse(b.lastReportAt)) / 1000));
    return w.silentFor(s < 3600 ? w.seconds(s) : duration(lang, s));
  }
  return w.boxReasons[b.reason] ?? w.unknown;
}

/** A box as the JSON routes give it: the reason's code for scripts, and its words for people. */
export const withReasonText = <B extends { reason: BoxStateReason; since: string | null; lastReportAt: string | null }>(b: B, lang: HubLang) => ({
  ...b,
  reasonText: reasonText(b, lang),
});

export function overviewLiveOf(o: FleetOverview, lang: HubLang): z.infer<typeof overviewLive> {
  const w = hubWords[lang];
  const counts: Record<string, number> = {};
  for (const c of o.children) {
    for (const s of BOX_STATES) counts[`${c.code}:${s}`] = c.counts[s];
    counts[`${c.code}:total`] = c.total;
  }
  for (const s of BOX_STATES) counts[`total:${s}`] = o.totals[s];
  counts['total:total'] = o.total;
  return {
    region: o.region,
    counts,
    alertsFiring: w.alertsFiring(o.alertsFiring),
    regions: o.children.map((c) => ({ code: c.code, label: c.code ? `${c.code}${c.name ? ` ${c.name}` : ''}` : '—' })),
    boxes: o.boxes.map((b) => ({
      id: b.id,
      facility: `${b.facilityCode} ${b.name}`.trim(),
      state: b.state,
      stateWord: w.boxStates[b.state],
      reason: reasonText(b, lang),
      lastReportAt: shownTime(b.lastReportAt),
    })),
  };
}

export type HealthRow = z.infer<typeof boxLive>['health'][number];

/** The health table: the last report's figures, each flagged when the alert rules would flag it. */
export function healthRows(b: BoxDetail, lang: HubLang, nowMs: number): HealthRow[] {
  const w = hubWords[lang];
  const s = b.lastStatus;
  const row = (key: string, label: string, value: string, warn = false): HealthRow => ({ key, label, value, warn });
  const rows = [row('lastReport', w.colLastReport, shownTime(b.lastReportAt))];
  if (!s) return rows;
  const oldest = s.oldestPendingAgeSeconds;
  rows.push(
    row(
      'backlog',
      w.healthBacklog,
      w.backlogNow(s.pending, s.parked, oldest == null ? '—' : oldest < 3600 ? w.seconds(Math.round(oldest)) : duration(lang, oldest)),
      s.parked > 0 || (oldest ?? 0) > WARN.backlogAgeS,
    ),
  );
  if (s.v !== 2) return rows;
  const diskPct = s.disk.total > 0 ? round1((100 * s.disk.free) / s.disk.total) : null;
  const gb = (n: number) => round1(n / 1e9);
  const mb = (n: number) => Math.round(n / 1_048_576);
  const offsetS = s.clock.offsetMs == null ? null : round1(s.clock.offsetMs / 1000);
  const certDays = s.certExpiresAt ? (Date.parse(s.certExpiresAt) - nowMs) / DAY_MS : null;
  const backupAgeH = s.backup ? (nowMs - Date.parse(s.backup.at)) / 3_600_000 : null;
  rows.push(
    row('version', w.healthVersion, s.sw),
    row('uptime', w.healthUptime, duration(lang, s.uptimeS)),
    row('disk', w.healthDisk, diskPct == null ? w.unknown : w.diskFree(diskPct, gb(s.disk.free), gb(s.disk.total)), diskPct != null && diskPct < WARN.diskFreePct),
    row('memory', w.healthMemory, w.memory(mb(s.mem.box), s.mem.relay == null ? '—' : `${mb(s.mem.relay)} MB`)),
    row(
      'clock',
      w.healthClock,
      `${s.clock.trusted ? w.clockTrusted : w.clockUntrusted}${offsetS == null ? '' : `, ${w.clockOffset(String(offsetS))}`}`,
      !s.clock.trusted || Math.abs(offsetS ?? 0) > WARN.clockSkewS,
    ),
    row('cert', w.healthCert, s.certExpiresAt ? shownTime(s.certExpiresAt) : w.unknown, certDays != null && certDays < WARN.certDays),
    row(
      'backup',
      w.healthBackup,
      s.backup ? `${shownTime(s.backup.at)}, ${s.backup.ok ? w.backupOk : w.backupFailed}, ${round1(s.backup.bytes / 1_048_576)} MB` : w.noBackup,
      !s.backup || !s.backup.ok || (backupAgeH ?? 0) > WARN.backupHours,
    ),
    row('storage', w.healthStorage, s.storage, s.storage !== 'ok'),
  );
  return rows;
}

export function boxLiveOf(b: BoxDetail, alertsFiring: number, lang: HubLang, nowMs: number): z.infer<typeof boxLive> {
  const w = hubWords[lang];
  return {
    id: b.id,
    state: b.state,
    stateWord: w.boxStates[b.state],
    reason: reasonText(b, lang),
    since: shownTime(b.since),
    health: healthRows(b, lang, nowMs),
    alertsFiring: w.alertsFiring(alertsFiring),
  };
}
