import { pageData } from './island.ts';

const tz = pageData().tz;

/** A time (and date) in the box's time zone and the page's language. */
export function clock(iso: string | null | undefined, withDate?: boolean): string {
  if (!iso) return '';
  const d = new Date(iso);
  const o: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
  if (withDate) {
    o.day = '2-digit';
    o.month = 'short';
    o.year = 'numeric';
  }
  try {
    if (tz) o.timeZone = tz;
    return d.toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID', o);
  } catch {
    return d
      .toISOString()
      .slice(withDate ? 0 : 11, 16)
      .replace('T', ' ');
  }
}

/** A date in the page's language, "3 Desember 2026" (a `YYYY-MM-DD` date or an instant in the box's time zone). */
export function day(value: string | null | undefined): string {
  if (!value) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(dateOnly ? value + 'T12:00:00Z' : value);
  const o: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };
  try {
    o.timeZone = dateOnly ? 'UTC' : tz || undefined;
    return d.toLocaleDateString(document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID', o);
  } catch {
    return value.slice(0, 10);
  }
}
