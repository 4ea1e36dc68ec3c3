/**
 * Bahasa Indonesia first, English second. The box's words live in one catalog per language
 * (appliance/words: `words(lang).key`); `tr(lang, id, en)` is left for the few texts the domain
 * itself carries as pairs (clinic/passwords.ts). The language comes from `?lang=`, then the `lang`
 * cookie, then Accept-Language; default Indonesian.
 */
import type { Lang } from '../words/index.ts';

export type { Lang };

export const tr = (lang: Lang, id: string, en: string) => (lang === 'en' ? en : id);

export function pickLang(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const v of [query, cookie]) if (v === 'id' || v === 'en') return v;
  if (acceptLanguage && /^en\b/i.test(acceptLanguage.trim()) ) return 'en';
  return 'id';
}
