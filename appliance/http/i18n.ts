/**
 * Bahasa Indonesia first, English second. Text sits beside its use as a pair: `tr(lang, id, en)`.
 * The language comes from `?lang=`, then the `lang` cookie, then Accept-Language; default Indonesian.
 */
export type Lang = 'id' | 'en';

export const tr = (lang: Lang, id: string, en: string) => (lang === 'en' ? en : id);

export function pickLang(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const v of [query, cookie]) if (v === 'id' || v === 'en') return v;
  if (acceptLanguage && /^en\b/i.test(acceptLanguage.trim()) ) return 'en';
  return 'id';
}
