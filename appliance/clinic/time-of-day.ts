/**
 * The one reading of a local time of day ("HH:MM") for the box's settings: when the day's service
 * ends (serviceEndsAt), and the window bulk records may be sent in (syncNightWindow).
 * 00:00 is the start of the day and 24:00 its end (the next midnight), so "the whole day" and
 * "until midnight" can be written; nothing past 24:00 is a time.
 */
import { z } from 'zod';

const HH_MM = /^(\d\d):(\d\d)$/;
export const minutesPerDay = 24 * 60;

/** Minutes after local midnight: "00:00" → 0, "23:59" → 1439, "24:00" → 1440; null if not a time. */
export function minutesOfDay(text: string): number | null {
  const m = HH_MM.exec(text);
  if (!m) return null;
  const hours = Number(m[1]),
    minutes = Number(m[2]);
  if (minutes > 59) return null;
  const total = hours * 60 + minutes;
  return total <= minutesPerDay ? total : null;
}

/** A setting holding one time of day; stays a string, as it is written in the config file. */
export const timeOfDaySetting = z.string().refine((t) => minutesOfDay(t) !== null, 'expected a time HH:MM, e.g. "16:00" or "24:00"');

/** A setting holding a window "HH:MM-HH:MM"; the end may be before the start (across midnight). */
export const timeWindowSetting = z.string().refine((w) => parseWindow(w) !== null, 'expected "HH:MM-HH:MM", e.g. "22:00-05:00"');

/** A window's start and end in minutes of the day (see minutesOfDay); null if not a window. */
export function parseWindow(window: string): { from: number; to: number } | null {
  const parts = window.split('-');
  if (parts.length !== 2) return null;
  const from = minutesOfDay(parts[0]),
    to = minutesOfDay(parts[1]);
  return from === null || to === null ? null : { from, to };
}
