/**
 * The hub's answers to what it refuses, in the project's one error shape
 * `{ error: { code, message, details } }`, the message in the request's language (words.ts).
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { pageQuery, type HubErrorCode } from './schemas.ts';
import { hubWords, pickHubLang, type HubLang } from './words.ts';

/** Each refusal: its status, the code a program reads, and the word a person reads. */
const refusals = {
  unauthenticated: [401, 'unauthenticated', 'err_unauthenticated'],
  malformed: [401, 'unauthenticated', 'err_malformed'],
  no_admin_token: [401, 'unauthenticated', 'err_no_admin_token'],
  forbidden: [403, 'forbidden', 'err_forbidden'],
  csrf: [403, 'csrf', 'err_csrf'],
  route_not_found: [404, 'route_not_found', 'err_route_not_found'],
  validation_failed: [400, 'validation_failed', 'err_validation_failed'],
  invalid: [400, 'invalid', 'err_invalid'],
  not_found: [404, 'not_found', 'err_not_found'],
  internal: [500, 'internal', 'err_internal'],
  claim_unknown: [403, 'claim_unknown', 'err_claim_unknown'],
  claim_used: [409, 'claim_used', 'err_claim_used'],
  claim_expired: [410, 'claim_expired', 'err_claim_expired'],
  claim_wrong_facility: [403, 'claim_wrong_facility', 'err_claim_wrong_facility'],
  csr_invalid: [400, 'csr_invalid', 'err_csr_invalid'],
  throttled: [429, 'throttled', 'err_throttled'],
  range_not_satisfiable: [416, 'range_not_satisfiable', 'err_range_not_satisfiable'],
  outside_region: [403, 'outside_region', 'err_outside_region'],
} as const satisfies Record<string, [ContentfulStatusCode, HubErrorCode, `err_${string}` & keyof (typeof hubWords)['id']]>;
export type HubRefusal = keyof typeof refusals;

/** The request's language, as on the box: ?lang=, then the cookie, then Accept-Language. */
export const requestLang = (c: Context): HubLang => pickHubLang(pageQuery.parse(c.req.query()).lang, getCookie(c, 'lang'), c.req.header('accept-language'));

/** `more` follows the sentence (a list of what was wrong, which a curl user wants to read at once). */
export function hubError(c: Context, why: HubRefusal, details: Record<string, unknown> = {}, more?: string, extraHeaders: Record<string, string> = {}) {
  const [status, code, word] = refusals[why];
  const sentence = hubWords[requestLang(c)][word];
  const headers: Record<string, string> = { ...extraHeaders, ...(status === 401 ? { 'www-authenticate': 'Basic realm="simpul-hub", charset="UTF-8"' } : {}) };
  return c.json({ error: { code, message: more ? `${sentence} ${more}` : sentence, details } }, status, headers);
}

/** zod's own messages in the request's language (a schema's custom message, e.g. the contract's, stays as written). */
const zodLocale = { id: z.locales.id().localeError, en: z.locales.en().localeError } satisfies Record<HubLang, unknown>;

/** Checks what a request carries against its schema, the issues worded in the request's language. */
export const checkInput = <S extends z.ZodType>(c: Context, schema: S, value: unknown) => schema.safeParse(value, { error: zodLocale[requestLang(c)] });

/** A zod failure at the edge: 400, each issue with its path in details, the first few in the message. */
export function validationFailed(c: Context, error: z.ZodError, prefix = '') {
  const issues = error.issues.map((i) => ({ path: [prefix, ...i.path].filter((p) => p !== '').join('.'), message: i.message }));
  return hubError(
    c,
    'validation_failed',
    { issues },
    issues
      .slice(0, 5)
      .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
      .join('; '),
  );
}
