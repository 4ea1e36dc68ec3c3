import { describe, expect, it } from 'vitest';
import { until } from './wait.ts';

describe('until', () => {
  it('returns the first truthy value of a condition, plain or async', async () => {
    let n = 0;
    expect(await until('the third check', () => (++n >= 3 ? `check ${n}` : null), 5_000, 1)).toBe('check 3');
    let m = 0;
    expect(await until('two async checks', async () => ++m >= 2 && { m }, 5_000, 1)).toEqual({ m: 2 });
  });

  it('fails after the time-out, naming what it waited for', async () => {
    await expect(until('the hub’s ack', () => false, 30, 5)).rejects.toThrow('timed out waiting for the hub’s ack');
  });
});
