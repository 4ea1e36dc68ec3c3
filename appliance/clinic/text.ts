/**
 * Every string a request carries goes through `text()`: a zod string that refuses what PostgreSQL
 * cannot store as text — NUL (`invalid byte sequence for encoding "UTF8": 0x00`, which surfaced
 * as a 500) — and lone UTF-16 surrogates, which have no UTF-8 form and would be stored silently
 * changed to U+FFFD. Such a request is a 400 at the edge, like any other malformed field.
 */
import { z } from 'zod';

/** A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

export const unstorableTextMessage = 'contains a character that cannot be stored (NUL or a lone surrogate)';

/** `z.string()` for anything that comes from a request. */
export function text() {
  return z.string().refine(isStorableText, unstorableTextMessage);
}
