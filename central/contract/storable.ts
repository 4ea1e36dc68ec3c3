/**
 * What PostgreSQL can store, checked on the wire: a record that passes the contract and then
 * fails at the hub's database would be neither stored nor rejected, and its batch would come
 * back forever. `text` and `jsonb` refuse the NUL character and a UTF-16 surrogate without its
 * pair (JSON allows both as `\u0000` and `\ud800`), jsonb's parser runs out of stack on deep
 * nesting, and timestamptz refuses dates that do not exist (2025-02-30, year 0).
 */
import { z } from 'zod';
import { MAX_PAYLOAD_DEPTH } from './limits.ts';

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !loneSurrogate.test(s);
}

const unstorable = 'contains a NUL character or a lone UTF-16 surrogate';

/** A string the database can store. */
export const storableText = () => z.string().refine(isStorableText, unstorable);

/** An ISO date-time with offset that names a real instant from year 1 on. */
export const storableTime = () =>
  z.iso.datetime({ offset: true }).refine((s) => {
    const t = Date.parse(s);
    if (Number.isNaN(t) || Number(s.slice(0, 4)) < 1) return false;
    // Date.parse rolls 2025-02-30 over to March: the calendar date must survive the trip.
    const [y, m, d] = s.slice(0, 10).split('-').map(Number);
    const back = new Date(Date.UTC(y, m - 1, d));
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
  }, 'not a real date and time');

/**
 * Null when every string (keys included) in `value` is storable, every number finite, and it nests at most
 * MAX_PAYLOAD_DEPTH deep; else where and why not. Stops at the first fault, so a 100,000-deep
 * payload costs MAX_PAYLOAD_DEPTH steps, never a stack overflow.
 */
export function findUnstorable(value: unknown, path = 'payload', depth = 0): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : `${path} ${unstorable}`;
  // 1e999999 parses to Infinity here, and overflows PostgreSQL's numeric there.
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is a number out of range`;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_PAYLOAD_DEPTH) return `${path} nests deeper than ${MAX_PAYLOAD_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = findUnstorable(value[i], `${path}.${i}`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!isStorableText(k)) return `a key in ${path} ${unstorable}`;
    const r = findUnstorable(v, `${path}.${k.slice(0, 40)}`, depth + 1);
    if (r) return r;
  }
  return null;
}
