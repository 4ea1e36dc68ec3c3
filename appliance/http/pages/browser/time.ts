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
