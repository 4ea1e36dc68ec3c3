/**
 * The clinic day. Indonesia's zones have fixed offsets (no daylight saving), so a clinic day is
 * simply the UTC instant shifted by the zone's offset: WIB +7, WITA +8, WIT +9.
 */
import { minutesOfDay, minutesPerDay, parseWindow } from './time-of-day.ts';

const offsets: Record<string, number> = { 'Asia/Jakarta': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 };

export function zoneOffsetHours(timeZone: string): number {
  const h = offsets[timeZone];
  if (h === undefined) throw new Error(`unsupported time zone ${timeZone}`);
  return h;
}

/** 'YYYY-MM-DD' of the clinic day that `at` falls in. */
export function clinicDay(at: Date, timeZone: string): string {
  return new Date(at.getTime() + zoneOffsetHours(timeZone) * 3_600_000).toISOString().slice(0, 10);
}

/** The instant of local time `hhmm` ("16:00", "24:00" = next midnight) on clinic day `day`. */
export function localInstant(day: string, hhmm: string, timeZone: string): Date {
  const minutes = minutesOfDay(hhmm);
  if (minutes === null) throw new Error(`not a time of day: ${JSON.stringify(hhmm)}`);
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  return new Date(utcMidnight + (minutes - zoneOffsetHours(timeZone) * 60) * 60_000);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Whether `now` falls in the local window (start included, end not); no window: always.
 * A window whose end is before its start runs across midnight ("22:00-05:00").
 */
export function inWindow(window: string | undefined, now: Date, timeZone: string): boolean {
  if (!window) return true;
  const w = parseWindow(window);
  if (!w) throw new Error(`not a time window: ${JSON.stringify(window)}`);
  const local = Math.floor(now.getTime() / 60_000) + zoneOffsetHours(timeZone) * 60;
  const minute = ((local % minutesPerDay) + minutesPerDay) % minutesPerDay;
  return w.from <= w.to ? minute >= w.from && minute < w.to : minute >= w.from || minute < w.to;
}
