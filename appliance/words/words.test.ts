import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { id } from './id.ts';

const applianceDir = fileURLToPath(new URL('..', import.meta.url));
const wordsDir = fileURLToPath(new URL('.', import.meta.url));

/** Every source file of the box outside the catalog (tests included: a word only a test uses is still unused). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === wordsDir.replace(/\/$/, '') || name === 'node_modules' || name === 'built') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('word catalogs', () => {
  it('give every Indonesian word an English one, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
    for (const [key, text] of Object.entries(id)) {
      const english = (en as Record<string, string>)[key];
      expect(text.trim(), key).not.toBe('');
      expect(english.trim(), key).not.toBe('');
      expect(placeholders(english), key).toEqual(placeholders(text));
    }
  });

  it('hold each pair once', () => {
    const seen = new Map<string, string>();
    for (const [key, text] of Object.entries(id)) {
      const pair = `${text}\u0000${(en as Record<string, string>)[key]}`;
      expect(seen.get(pair), `${key} repeats ${seen.get(pair)}`).toBeUndefined();
      seen.set(pair, key);
    }
  });

  it('have no word that nothing uses', () => {
    const files = sources(applianceDir);
    const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const errors = readFileSync(join(applianceDir, 'http', 'errors.ts'), 'utf8');
    const passwords = readFileSync(join(applianceDir, 'clinic', 'passwords.ts'), 'utf8');
    const unused = Object.keys(id).filter((key) => {
      // Looked up by code: `error_${code}` while errors.ts knows the code, `weakPassword_${reason}`
      // while clinic/passwords.ts can give the reason.
      if (key.startsWith('error_')) return !errors.includes(`  ${key.slice('error_'.length)}: `);
      if (key.startsWith('weakPassword_')) return !passwords.includes(`'${key.slice('weakPassword_'.length)}'`);
      const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return !new RegExp(`\\.${k}\\b|\\['${k}'\\]|['"]${k}['"]`).test(code);
    });
    expect(unused, `unused words (in ${files.length} files under ${relative(process.cwd(), applianceDir)})`).toEqual([]);
  });
});
