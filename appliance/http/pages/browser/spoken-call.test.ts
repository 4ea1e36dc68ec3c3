import { describe, expect, it } from 'vitest';
import { indonesianNumber, spokenLabel, spokenRoom } from './spoken-call.ts';

/** Reads the words back to a number: the inverse of indonesianNumber, written independently. */
function parse(words: string): number {
  const unit: Record<string, number> = { satu: 1, dua: 2, tiga: 3, empat: 4, lima: 5, enam: 6, tujuh: 7, delapan: 8, sembilan: 9 };
  const w = words.split(' ');
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i];
    const next = w[i + 1];
    if (x === 'seratus') total += 100;
    else if (x === 'sepuluh') total += 10;
    else if (x === 'sebelas') total += 11;
    else if (x in unit && next === 'ratus') (total += unit[x] * 100), i++;
    else if (x in unit && next === 'puluh') (total += unit[x] * 10), i++;
    else if (x in unit && next === 'belas') (total += unit[x] + 10), i++;
    else if (x in unit) total += unit[x];
    else throw new Error(`not a number word: ${x} in "${words}"`);
  }
  return total;
}

describe('Indonesian number words for the spoken call', () => {
  it('says the numbers a clinic uses as people say them', () => {
    const said: [number, string][] = [
      [1, 'satu'],
      [9, 'sembilan'],
      [10, 'sepuluh'],
      [11, 'sebelas'],
      [12, 'dua belas'],
      [19, 'sembilan belas'],
      [20, 'dua puluh'],
      [21, 'dua puluh satu'],
      [99, 'sembilan puluh sembilan'],
      [100, 'seratus'],
      [101, 'seratus satu'],
      [110, 'seratus sepuluh'],
      [111, 'seratus sebelas'],
      [115, 'seratus lima belas'],
      [200, 'dua ratus'],
      [250, 'dua ratus lima puluh'],
      [999, 'sembilan ratus sembilan puluh sembilan'],
    ];
    for (const [n, words] of said) expect(indonesianNumber(n), String(n)).toBe(words);
  });

  it('every number 1–999: words that read back to it, one space between, all different', () => {
    const seen = new Set<string>();
    for (let n = 1; n <= 999; n++) {
      const words = indonesianNumber(n);
      expect(words, String(n)).toMatch(/^[a-z]+( [a-z]+)*$/);
      expect(words, String(n)).not.toMatch(/satu (ratus|puluh|belas)/);
      expect(parse(words), words).toBe(n);
      seen.add(words);
    }
    expect(seen.size).toBe(999);
    expect(() => indonesianNumber(1000)).toThrow(RangeError);
    expect(() => indonesianNumber(1.5)).toThrow(RangeError);
  });

  it('a queue label and a room as the TV says them', () => {
    expect(spokenLabel('A-012')).toBe('A dua belas');
    expect(spokenLabel('C-105')).toBe('C seratus lima');
    expect(spokenLabel('B-001')).toBe('B satu');
    expect(spokenLabel('KIA')).toBe('KIA');
    expect(spokenRoom('Ruang 2')).toBe('Ruang dua');
    expect(spokenRoom('Ruang KIA')).toBe('Ruang KIA');
  });
});
