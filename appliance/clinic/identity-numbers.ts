/**
 * Indonesian identity numbers. NIK (16 digits): PPKKCC region code (province, regency, district),
 * DDMMYY birth date with 40 added to the day for women, then a 4-digit serial.
 * JKN card number (noka): 13 digits.
 */

// Province codes of the Kemendagri region coding, including the Papua provinces formed in 2022.
const provinceCodes = new Set([
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
]);

export type NikProblem = 'not_16_digits' | 'unknown_province' | 'invalid_region' | 'invalid_birth_date' | 'invalid_serial' | 'sex_mismatch' | 'birth_date_mismatch';

export interface NikParts {
  regionCode: string;
  sex: 'L' | 'P';
  birthDay: number;
  birthMonth: number;
  birthYear2: number;
}

export function parseNik(nik: string): NikParts | NikProblem {
  if (!/^\d{16}$/.test(nik)) return 'not_16_digits';
  if (!provinceCodes.has(Number(nik.slice(0, 2)))) return 'unknown_province';
  if (nik.slice(2, 4) === '00' || nik.slice(4, 6) === '00') return 'invalid_region';
  let day = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const sex = day > 40 ? 'P' : 'L';
  if (day > 40) day -= 40;
  if (day < 1 || day > 31 || month < 1 || month > 12) return 'invalid_birth_date';
  if (nik.slice(12) === '0000') return 'invalid_serial';
  return { regionCode: nik.slice(0, 6), sex, birthDay: day, birthMonth: month, birthYear2: Number(nik.slice(10, 12)) };
}

/** Checks a NIK against the sex and birth date (YYYY-MM-DD) entered with it. */
export function checkNik(nik: string, sex: 'L' | 'P', birthDate: string): NikProblem | null {
  const parts = parseNik(nik);
  if (typeof parts === 'string') return parts;
  if (parts.sex !== sex) return 'sex_mismatch';
  const [y, m, d] = birthDate.split('-').map(Number);
  if (parts.birthDay !== d || parts.birthMonth !== m || parts.birthYear2 !== y % 100) return 'birth_date_mismatch';
  return null;
}

export function isJknNumber(s: string): boolean {
  return /^\d{13}$/.test(s);
}

/** Builds a NIK that passes checkNik: for demo data and tests. */
export function makeNik(region: string, sex: 'L' | 'P', birthDate: string, serial: number): string {
  const [y, m, d] = birthDate.split('-').map(Number);
  const dd = String(sex === 'P' ? d + 40 : d).padStart(2, '0');
  return `${region}${dd}${String(m).padStart(2, '0')}${String(y % 100).padStart(2, '0')}${String(serial).padStart(4, '0')}`;
}
