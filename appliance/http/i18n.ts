/**
 * Bahasa Indonesia first, English second: the box's words live in one catalog per language
 * (appliance/words: `words(lang).key`). The language comes from `?lang=`, then the `lang` cookie,
 * then (API requests only, app.ts) Accept-Language; default Indonesian.
 */
import type { Lang } from '../words/index.ts';

export type { Lang };

export function pickLang(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const v of [query, cookie]) if (v === 'id' || v === 'en') return v;
  if (acceptLanguage && /^en\b/i.test(acceptLanguage.trim())) return 'en';
  return 'id';
}
