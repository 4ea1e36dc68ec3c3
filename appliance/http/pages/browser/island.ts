/**
 * What the server put into the page for its script: `#t` (words, in the request's language) and
 * `#d` (data). Both are JSON islands, never script, so the CSP stays `script-src 'self'`.
 */

export function readIsland<T>(id: string): T {
  const el = document.getElementById(id);
  try {
    return (el && el.textContent ? JSON.parse(el.textContent) : {}) as T;
  } catch {
    return {} as T;
  }
}

export type Words = Record<string, string>;
export type Vars = Record<string, string | number | null | undefined>;

let islandWords: Words | null = null;
const words = () => (islandWords ??= readIsland<Words>('t'));

/** A word of the page, `{name}` placeholders filled in; the key itself when the page lacks it. */
export function t(key: string, vars?: Vars): string {
  return fillIn(words()[key] || key, vars);
}

/**
 * The page's words, typed by the island its page hands over (appliance/words/page-words.ts):
 * `const t = pageWords<AntreanWord | StaffWord>()` lets the script ask for those keys only.
 */
export function pageWords<K extends string>(): (key: K, vars?: Vars) => string {
  return t;
}

/** Whether the page was given a word (optional texts such as NIK problem codes). */
export const hasWord = (key: string) => key in words();

export function fillIn(text: string, vars?: Vars): string {
  let s = text;
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(vars[k] == null ? '' : String(vars[k]));
  return s;
}

/** The data every page may carry (staff pages: `staff`, `role`; all: the box's time zone). */
export interface PageData {
  staff?: boolean;
  tz?: string;
}

export function pageData<T extends object>(): T & PageData {
  return readIsland<T & PageData>('d');
}
