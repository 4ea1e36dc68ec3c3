import { describe, expect, it } from 'vitest';
import { RegionFilter } from './region-filter.ts';

describe('RegionFilter', () => {
  const nation = new RegionFilter('');
  const ntt = new RegionFilter('53');
  const kupang = new RegionFilter('5301');

  it('a box is the caller’s when its region starts with the scope; a box without a region only the nation’s', () => {
    expect(kupang.contains('5301')).toBe(true);
    expect(kupang.contains('5302')).toBe(false);
    expect(ntt.contains('5302')).toBe(true);
    expect(ntt.contains(null)).toBe(false);
    expect(nation.contains(null)).toBe(true);
  });

  it('a list asked for a region is cut to the caller’s: the narrower of the two, or nothing when they do not meet', () => {
    expect(kupang.narrow()).toBe('5301');
    expect(kupang.narrow('53')).toBe('5301');
    expect(kupang.narrow('5302')).toBeNull();
    expect(kupang.narrow('51')).toBeNull();
    expect(ntt.narrow('5302')).toBe('5302');
    expect(nation.narrow('51')).toBe('51');
  });

  it('an action may aim only inside the caller’s region (a wider one is outside too)', () => {
    expect(kupang.covers('5301')).toBe(true);
    expect(kupang.covers('53')).toBe(false);
    expect(kupang.covers('5302')).toBe(false);
    expect(ntt.covers('5301')).toBe(true);
    expect(nation.covers('')).toBe(true);
  });
});
