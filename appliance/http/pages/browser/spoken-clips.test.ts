import { describe, expect, it } from 'vitest';
import { indonesianNumber } from './spoken-call.ts';
import { callClips, clipTexts, clipUrl } from './spoken-clips.ts';

describe('the spoken call as clips shipped with the box', () => {
  it('says a call word by word, numbers composed from the digit clips', () => {
    expect(callClips('A-012', 'Ruang 2')).toEqual(['nomor-antrean', 'huruf-a', 'dua', 'belas', 'silakan-ke', 'ruang', 'dua']);
    expect(callClips('B-001', 'Ruang Gigi')).toEqual(['nomor-antrean', 'huruf-b', 'satu', 'silakan-ke', 'ruang', 'gigi']);
    expect(callClips('C-111', 'Ruang KIA')).toEqual(['nomor-antrean', 'huruf-c', 'seratus', 'sebelas', 'silakan-ke', 'ruang', 'huruf-k', 'huruf-i', 'huruf-a']);
    expect(callClips('A-250', 'Ruang 10')).toEqual(['nomor-antrean', 'huruf-a', 'dua', 'ratus', 'lima', 'puluh', 'silakan-ke', 'ruang', 'sepuluh']);
  });

  it('leaves out a room it cannot say, and says nothing for a label it cannot say', () => {
    expect(callClips('A-012', 'Ruang Mawar')).toEqual(['nomor-antrean', 'huruf-a', 'dua', 'belas']);
    expect(callClips('A-012', '')).toEqual(['nomor-antrean', 'huruf-a', 'dua', 'belas']);
    expect(callClips('antrean kemarin', 'Ruang 1')).toEqual([]);
  });

  it('has a clip for every word of every number 0–999 and every letter', () => {
    for (let n = 0; n <= 999; n++) for (const w of indonesianNumber(n).split(' ')) expect(clipTexts[w], `${n}: ${w}`).toBe(w);
    for (let i = 0; i < 26; i++) expect(clipTexts['huruf-' + String.fromCharCode(97 + i)]).toMatch(/^[a-z]+$/);
    for (const name of Object.keys(clipTexts)) expect(clipUrl(name)).toMatch(/^\/suara\/[a-z-]+\.wav$/);
  });
});
