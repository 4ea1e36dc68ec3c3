import { describe, expect, it } from 'vitest';
import { inWindow, localInstant } from './clock.ts';
import { minutesOfDay } from './time-of-day.ts';

describe('time of day', () => {
  it('reads HH:MM as minutes after local midnight, 24:00 as the end of the day', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('07:05')).toBe(425);
    expect(minutesOfDay('23:59')).toBe(1439);
    expect(minutesOfDay('24:00')).toBe(1440);
  });

  it('refuses anything else', () => {
    for (const t of ['24:01', '24:59', '25:00', '23:60', '7:30', '07:5', '0700', '07:00:00', ' 07:00', '07:00 ', '-1:00', '', '٠٧:٠٠']) {
      expect(minutesOfDay(t), t).toBeNull();
    }
  });

  it('places a service end on the clinic day: 00:00 its start, 24:00 the next midnight, in the box’s zone', () => {
    expect(localInstant('2026-03-10', '00:00', 'Asia/Jakarta').toISOString()).toBe('2026-03-09T17:00:00.000Z');
    expect(localInstant('2026-03-10', '23:59', 'Asia/Jakarta').toISOString()).toBe('2026-03-10T16:59:00.000Z');
    expect(localInstant('2026-03-10', '24:00', 'Asia/Jakarta').toISOString()).toBe('2026-03-10T17:00:00.000Z');
    expect(localInstant('2026-03-10', '24:00', 'Asia/Jayapura').toISOString()).toBe('2026-03-10T15:00:00.000Z');
    expect(() => localInstant('2026-03-10', '24:30', 'Asia/Jakarta')).toThrow(/24:30/);
    expect(() => localInstant('2026-03-10', 'noon', 'Asia/Jakarta')).toThrow(/noon/);
  });

  it('tells whether a local time is in a window, across midnight and up to 24:00', () => {
    // 2026-03-10 in WIB (UTC+7): local hh:mm → the UTC instant.
    const at = (hhmm: string) => localInstant('2026-03-10', hhmm, 'Asia/Jakarta');
    expect(inWindow(undefined, at('12:00'), 'Asia/Jakarta')).toBe(true);
    const night = '22:00-05:00';
    expect(['22:00', '23:59', '00:00', '04:59'].map((t) => inWindow(night, at(t), 'Asia/Jakarta'))).toEqual([true, true, true, true]);
    expect(['21:59', '05:00', '12:00'].map((t) => inWindow(night, at(t), 'Asia/Jakarta'))).toEqual([false, false, false]);
    const evening = '22:00-24:00';
    expect(['22:00', '23:59'].map((t) => inWindow(evening, at(t), 'Asia/Jakarta'))).toEqual([true, true]);
    expect(['00:00', '21:59'].map((t) => inWindow(evening, at(t), 'Asia/Jakarta'))).toEqual([false, false]);
    expect(['00:00', '12:00', '23:59'].map((t) => inWindow('00:00-24:00', at(t), 'Asia/Jakarta'))).toEqual([true, true, true]);
    // The same instant is 22:30 in WIB and 00:30 the next day in WIT.
    expect(inWindow('22:00-23:00', at('22:30'), 'Asia/Jakarta')).toBe(true);
    expect(inWindow('22:00-23:00', at('22:30'), 'Asia/Jayapura')).toBe(false);
  });
});
