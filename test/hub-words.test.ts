/**
 * The hub's catalog of words: every language has every word (a missing translation fails here
 * as well as in `tsc`), none is empty, and a word with arguments takes as many in each language.
 */
import { describe, expect, it } from 'vitest';
import { hubLangs, hubWords, pickHubLang } from '../central/http/words.ts';

// Words take numbers or strings (a region code): never[] accepts either signature.
type Entry = string | ((...a: never[]) => string) | Record<string, string>;
const flat = (words: Record<string, Entry>) =>
  Object.entries(words).flatMap(([k, v]) => (typeof v === 'object' ? Object.entries(v).map(([s, w]) => [`${k}.${s}`, w] as const) : [[k, v] as const]));

describe('hub words', () => {
  it('each language has the same words, none empty, with the same arguments', () => {
    const [first, ...rest] = hubLangs;
    const keys = flat(hubWords[first] as Record<string, Entry>)
      .map(([k]) => k)
      .sort();
    expect(keys.length).toBeGreaterThan(30);
    for (const lang of rest)
      expect(
        flat(hubWords[lang] as Record<string, Entry>)
          .map(([k]) => k)
          .sort(),
        lang,
      ).toEqual(keys);
    for (const lang of hubLangs) {
      for (const [k, w] of flat(hubWords[lang] as Record<string, Entry>)) {
        const other = flat(hubWords[first] as Record<string, Entry>).find(([x]) => x === k)![1];
        if (typeof w === 'function') {
          expect(typeof other, `${lang}.${k}`).toBe('function');
          expect(w.length, `${lang}.${k} arguments`).toBe((other as (...a: number[]) => string).length);
          expect((w as (...a: unknown[]) => string)(1, 2, 3).trim(), `${lang}.${k}`).not.toBe('');
        } else {
          expect(typeof w, `${lang}.${k}`).toBe('string');
          expect(w.trim(), `${lang}.${k}`).not.toBe('');
        }
      }
    }
  });

  it('picks the language as the box does', () => {
    expect(pickHubLang(undefined, undefined, undefined)).toBe('id');
    expect(pickHubLang('en', 'id', 'id')).toBe('en');
    expect(pickHubLang('fr', 'en', 'id')).toBe('en');
    expect(pickHubLang(undefined, undefined, 'en-US,en;q=0.9')).toBe('en');
    expect(pickHubLang(undefined, undefined, 'id,en;q=0.5')).toBe('id');
  });
});
