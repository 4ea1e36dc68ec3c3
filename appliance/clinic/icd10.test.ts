import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getIcd10, isIcd10Code, normalizeIcd10Code, preloadIcd10, searchIcd10 } from './icd10.ts';

const codes = (query: string, limit?: number) => searchIcd10(query, limit).map((e) => e.code);

describe('ICD-10 list data', () => {
  const raw = JSON.parse(readFileSync(new URL('./icd10-data.json', import.meta.url), 'utf8')) as {
    entries: [string, string, string, string?][];
    common: string[];
  };

  it('has several hundred well-formed, unique WHO ICD-10 codes with both names', () => {
    expect(raw.entries.length).toBeGreaterThan(500);
    const seen = new Set<string>();
    for (const [code, name, nameEn] of raw.entries) {
      expect(code).toMatch(/^[A-Z]\d\d(\.\d)?$/);
      expect(seen.has(code)).toBe(false);
      seen.add(code);
      expect(name.trim()).not.toBe('');
      expect(nameEn.trim()).not.toBe('');
    }
    for (const code of raw.common) expect(seen.has(code)).toBe(true);
  });

  it('preloads the same list the search uses', () => {
    expect(preloadIcd10()).toBe(raw.entries.length);
  });

  it('stays small enough to ship on the box', () => {
    expect(readFileSync(new URL('./icd10-data.json', import.meta.url)).length).toBeLessThan(2_000_000);
  });
});

describe('getIcd10 / isIcd10Code', () => {
  it('has the common primary-care codes', () => {
    for (const code of [
      'I10',
      'E11',
      'E11.9',
      'J06.9',
      'A09',
      'A90',
      'A91',
      'K30',
      'K29.7',
      'M79.1',
      'J00',
      'L30.9',
      'R50.9',
      'A01.0',
      'B54',
      'A15.0',
      'O80.0',
      'Z34.9',
      'K04.0',
      'K02.1',
    ]) {
      expect(isIcd10Code(code), code).toBe(true);
      expect(getIcd10(code)?.code).toBe(code);
    }
    expect(getIcd10('I10')).toEqual({ code: 'I10', name: 'Hipertensi esensial (primer)', nameEn: 'Essential (primary) hypertension' });
  });

  it('looks codes up ignoring case, spaces and the dot', () => {
    expect(getIcd10('j069')?.code).toBe('J06.9');
    expect(getIcd10(' k29.7 ')?.code).toBe('K29.7');
    expect(normalizeIcd10Code('e119')).toBe('E11.9');
    expect(normalizeIcd10Code('Q99.9')).toBeUndefined();
  });

  it('rejects unknown and non-canonical codes', () => {
    for (const code of ['', 'X', 'I10.0', 'J06.99', 'ZZ9', 'Q99.9', 'U99', 'A09.X', 'hipertensi', 'I10 ']) {
      expect(isIcd10Code(code), JSON.stringify(code)).toBe(false);
    }
    expect(isIcd10Code('j06.9')).toBe(false);
    expect(isIcd10Code('J069')).toBe(false);
    expect(getIcd10('Q99.9')).toBeUndefined();
    expect(isIcd10Code(undefined as unknown as string)).toBe(false);
    expect(getIcd10(42 as unknown as string)).toBeUndefined();
  });

  it('hands out entries that cannot be changed by a caller', () => {
    const entry = getIcd10('I10')!;
    expect(() => {
      (entry as { name: string }).name = 'x';
    }).toThrow();
    expect(getIcd10('I10')!.name).toBe('Hipertensi esensial (primer)');
  });
});

describe('searchIcd10', () => {
  it('finds by code with or without the dot, in any case', () => {
    expect(codes('J06.9')[0]).toBe('J06.9');
    expect(codes('j069')[0]).toBe('J06.9');
    expect(codes('j06.9')[0]).toBe('J06.9');
    expect(codes('k297')).toEqual(['K29.7']);
  });

  it('lists code-prefix matches first, in code order', () => {
    const e11 = codes('e11');
    expect(e11[0]).toBe('E11');
    expect(e11).toContain('E11.9');
    expect(e11.every((c) => c.startsWith('E11'))).toBe(true);
    expect(e11).toEqual([...e11].sort());
    expect(codes('J06')).toEqual(['J06', 'J06.0', 'J06.9']);
    // A single letter is a chapter prefix.
    expect(codes('a', 5).every((c) => c.startsWith('A'))).toBe(true);
  });

  it('finds by Indonesian words, all words in any order, by word start', () => {
    expect(codes('hipertensi')[0]).toBe('I10');
    expect(codes('demam berdarah')).toContain('A91');
    expect(codes('berdarah demam')).toContain('A91');
    expect(codes('demam')[0]).toBe('R50.9');
    expect(codes('diare')[0]).toBe('A09');
    expect(codes('tuberkulosis paru')).toEqual(expect.arrayContaining(['A15.0', 'A16.2']));
    expect(codes('diab melit tipe 2 ginjal')).toEqual(['E11.2']);
    // Every word must match.
    expect(codes('demam dengue')).toEqual(expect.arrayContaining(['A90', 'A91']));
    expect(codes('demam dengue').every((c) => getIcd10(c)!.name.toLowerCase().includes('dengue'))).toBe(true);
    expect(codes('hipertensi zzzz')).toEqual([]);
  });

  it('finds by English words', () => {
    expect(codes('essential hypertension')[0]).toBe('I10');
    expect(codes('upper respiratory infection')).toContain('J06.9');
    expect(codes('dengue')).toEqual(expect.arrayContaining(['A90', 'A91']));
    expect(codes('typhoid')).toContain('A01.0');
  });

  it('finds by common terms and abbreviations doctors type', () => {
    expect(codes('ispa')).toContain('J06.9');
    expect(codes('dbd')).toEqual(['A91']);
    expect(codes('maag')).toEqual(expect.arrayContaining(['K29.7', 'K30']));
    expect(codes('kencing manis')).toContain('E11.9');
    expect(codes('tbc')).toContain('A15.0');
    expect(codes('anc')[0]).toMatch(/^Z34/);
  });

  it('ignores case and diacritics', () => {
    expect(codes('HIPERTENSI')[0]).toBe('I10');
    expect(codes('Schönlein')).toEqual(['D69.0']);
    expect(codes('schonlein')).toEqual(['D69.0']);
  });

  it('mixes a code prefix with words', () => {
    expect(codes('e11 ginjal')).toEqual(['E11.2']);
  });

  it('respects the limit', () => {
    expect(searchIcd10('a').length).toBe(20);
    expect(searchIcd10('gigi', 5)).toHaveLength(5);
    expect(searchIcd10('a', 1)).toHaveLength(1);
    expect(searchIcd10('a', 0)).toEqual([]);
    expect(searchIcd10('a', -3)).toEqual([]);
    expect(searchIcd10('demam', 500).length).toBeGreaterThan(10);
  });

  it('returns nothing for empty or unknown queries', () => {
    expect(searchIcd10('')).toEqual([]);
    expect(searchIcd10('   ')).toEqual([]);
    expect(searchIcd10('.,-')).toEqual([]);
    expect(searchIcd10('qwertyuiop')).toEqual([]);
    expect(searchIcd10('Q99.9')).toEqual([]);
  });
});
