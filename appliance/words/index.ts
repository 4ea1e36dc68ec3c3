import { en } from './en.ts';
import { id, type WordKey, type Words } from './id.ts';

/**
 * The box's words: one catalog per language (id.ts is the source, en.ts follows it key for key).
 * Pages take `words(lang)`; a page's script gets only the words it needs, as a JSON island.
 */
export type Lang = 'id' | 'en';
export type { WordKey, Words };

const catalogs: Record<Lang, Words> = { id, en };

export const words = (lang: Lang): Words => catalogs[lang];

/** A word with its `{name}` placeholders filled in. */
export function format(text: string, vars: Record<string, string | number>): string {
  let s = text;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}
