/**
 * The clinic day. Indonesia's zones have fixed offsets (no daylight saving), so a clinic day is
 * simply the UTC instant shifted by the zone's offset: WIB +7, WITA +8, WIT +9.
 */
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
  const [h, m] = hhmm.split(':').map(Number);
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  return new Date(utcMidnight + ((h - zoneOffsetHours(timeZone)) * 60 + m) * 60_000);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
