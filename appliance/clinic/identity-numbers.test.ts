import { describe, expect, it } from 'vitest';
import { checkNik, isJknNumber, makeNik, parseNik } from './identity-numbers.ts';

describe('NIK', () => {
  it('a woman’s NIK carries her birth day plus 40', () => {
    const nik = makeNik('332901', 'P', '1990-03-12', 2);
    expect(nik).toBe('3329015203900002');
    expect(parseNik(nik)).toMatchObject({ sex: 'P', birthDay: 12, birthMonth: 3, birthYear2: 90, regionCode: '332901' });
    expect(checkNik(nik, 'P', '1990-03-12')).toBeNull();
  });

  it('a NIK must agree with the sex and birth date entered', () => {
    const nik = makeNik('332901', 'L', '1975-08-17', 1);
    expect(checkNik(nik, 'P', '1975-08-17')).toBe('sex_mismatch');
    expect(checkNik(nik, 'L', '1975-08-18')).toBe('birth_date_mismatch');
    expect(checkNik(nik, 'L', '2075-08-17')).toBeNull(); // two-digit years cannot tell centuries
  });

  it('rejects wrong length, letters, unknown provinces, zero regions, impossible dates and serial 0000', () => {
    expect(parseNik('33290117087500')).toBe('not_16_digits');
    expect(parseNik('332901170875000A')).toBe('not_16_digits');
    expect(parseNik('9929011708750001')).toBe('unknown_province');
    expect(parseNik('3300011708750001')).toBe('invalid_region');
    expect(parseNik('3329003208750001')).toBe('invalid_region');
    expect(parseNik('3329013208750001')).toBe('invalid_birth_date');
    expect(parseNik('3329017213750001')).toBe('invalid_birth_date');
    expect(parseNik('3329011708750000')).toBe('invalid_serial');
  });

  it('JKN card numbers are 13 digits', () => {
    expect(isJknNumber('0001234567891')).toBe(true);
    expect(isJknNumber('000123456789')).toBe(false);
    expect(isJknNumber('000123456789a')).toBe(false);
  });
});
