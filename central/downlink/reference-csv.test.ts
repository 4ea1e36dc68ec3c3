import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, parseFormularyCsv, parseHospitalsCsv } from './reference-csv.ts';

const problemsOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof CsvError) return e.problems;
    throw e;
  }
  throw new Error('expected a CsvError');
};

describe('reference lists from CSV', () => {
  it('reads quoted cells, doubled quotes, CRLF, a byte-order mark and semicolon-separated files', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n1,2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['1', '2'] },
    ]);
    expect(parseCsv('a;b\n1,5;2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1,5', '2'] },
    ]);
  });

  it('hospitals: specialties split on |, ya/tidak for emergencies', () => {
    const csv = 'code,name,specialties,accepts_emergency\n0112R001,RSUD Kabupaten,"Penyakit Dalam| Anak",ya\n0112R002,RS Islam,Mata,tidak\n';
    expect(parseHospitalsCsv(csv)).toEqual([
      { code: '0112R001', name: 'RSUD Kabupaten', specialties: ['Penyakit Dalam', 'Anak'], acceptsEmergency: true },
      { code: '0112R002', name: 'RS Islam', specialties: ['Mata'], acceptsEmergency: false },
    ]);
  });

  it('every bad row is named by its line and column, and nothing is returned', () => {
    const csv = [
      'code,name,specialties,accepts_emergency',
      '0112R001,RSUD Kabupaten,Anak,ya',
      '01-12,RS Dua,Anak,ya', // line 3: bad code
      '0112R003,RS Tiga,Anak,mungkin', // line 4: not a yes/no
      '0112R001,RSUD lagi,Anak,tidak', // line 5: the same code as line 2
    ].join('\n');
    const problems = problemsOf(() => parseHospitalsCsv(csv));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^baris 3, kolom code: .*\(line 3, field code\)$/);
    expect(problems[1]).toMatch(/^baris 4, kolom accepts_emergency: .*\(line 4, field accepts_emergency\)$/);
    expect(problems[2]).toMatch(/^baris 5, kolom code: 0112R001 sudah ada di baris 2/);
    expect(problemsOf(() => parseHospitalsCsv('code,name\n0112R001,RSUD'))[0]).toMatch(/kolom tidak ada: specialties, accepts_emergency/);
    expect(problemsOf(() => parseHospitalsCsv('code,name,specialties,accepts_emergency\n'))[0]).toMatch(/tidak ada baris data/);
  });

  it('formulary: active defaults to ya; a multi-line quoted cell keeps later line numbers right', () => {
    const csv =
      'kfa_code,name,strength,form,unit,active\n93001234,Parasetamol,500 mg,tablet,tablet,\n93001301,"Amoksisilin\nkapsul",500 mg,kapsul,kapsul,tidak\n93001455,,400 mg,tablet,tablet,ya\n';
    const problems = problemsOf(() => parseFormularyCsv(csv));
    expect(problems).toEqual([expect.stringMatching(/^baris 5, kolom name: /)]);
    expect(parseFormularyCsv(csv.split('\n').slice(0, 4).join('\n'))).toEqual([
      { kfaCode: '93001234', name: 'Parasetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true },
      { kfaCode: '93001301', name: 'Amoksisilin\nkapsul', strength: '500 mg', form: 'kapsul', unit: 'kapsul', active: false },
    ]);
  });
});
