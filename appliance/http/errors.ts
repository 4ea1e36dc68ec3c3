import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ClinicError, type ClinicErrorCode } from '../clinic/errors.ts';
import type { AppEnv } from './env.ts';
import type { Lang } from './i18n.ts';
import { words } from '../words/index.ts';
import type { ErrorAnswer } from './schemas/common.ts';
import { fieldIssuesOfClinicError, stockMessage, validationMessage } from './field-messages.ts';

/** Codes the HTTP layer adds to the domain's own. */
export type HttpErrorCode =
  | ClinicErrorCode
  | 'password_change_required'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'rate_limited'
  | 'too_many_connections'
  | 'server_busy'
  | 'too_many_tickets'
  | 'tickets_full'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'route_not_found'
  | 'internal';

// `as const` so that `errorResponse(c, 'not_found')` is typed as a 404: a route's documented
// statuses are then checked against the errors it answers.
const status = {
  not_found: 404,
  invalid: 422,
  conflict: 409,
  invalid_state: 409,
  insufficient_stock: 409,
  consent_required: 403,
  not_allowed: 403,
  password_change_required: 403,
  expired: 410,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  rate_limited: 429,
  too_many_connections: 429,
  server_busy: 503,
  too_many_tickets: 429,
  tickets_full: 503,
  payload_too_large: 413,
  unsupported_media_type: 415,
  route_not_found: 404,
  internal: 500,
} as const satisfies Record<HttpErrorCode, ContentfulStatusCode>;

export function errorBody(lang: Lang, code: HttpErrorCode, details: Record<string, unknown> = {}, message?: string): ErrorAnswer {
  // The catalog has an `error_<code>` word for every code: a code added without one fails tsc here.
  return { error: { code, message: message ?? words(lang)[`error_${code}`], details } };
}

/** Thrown by middleware and handlers for errors that are the HTTP layer's own. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export function errorResponse<C extends HttpErrorCode>(c: Context<AppEnv>, code: C, details: Record<string, unknown> = {}, message?: string) {
  return c.json(errorBody(c.get('lang') ?? 'id', code, details, message), status[code]);
}

export function handleError(err: unknown, c: Context<AppEnv>) {
  if (err instanceof ClinicError) {
    const lang = c.get('lang') ?? 'id';
    const issues = fieldIssuesOfClinicError(err, lang);
    // About a field: the field, a key and what to do, in the person's language (no developer English beside it).
    if (issues) return errorResponse(c, err.code, { ...err.details, issues }, validationMessage(issues, lang));
    if (err.code === 'insufficient_stock') return errorResponse(c, err.code, { ...err.details, reason: err.message }, stockMessage(err.details, lang));
    return errorResponse(c, err.code, { ...err.details, reason: err.message });
  }
  if (err instanceof HttpError) return errorResponse(c, err.code, err.details);
  if (err instanceof HTTPException) {
    if (err.status === 413) return errorResponse(c, 'payload_too_large');
    if (err.status === 415) return errorResponse(c, 'unsupported_media_type', { contentType: (c.req.header('content-type') ?? '').slice(0, 100) });
    if (err.status === 400) return errorResponse(c, 'validation_failed', { reason: err.message });
    return errorResponse(c, err.status === 401 ? 'unauthenticated' : 'forbidden');
  }
  // A body that is not JSON at all reaches here as a SyntaxError from the validator.
  if (err instanceof SyntaxError) return errorResponse(c, 'validation_failed', { reason: 'body is not valid JSON' });
  (c.get('log') ?? console).error({ err }, 'unhandled error');
  return errorResponse(c, 'internal', { requestId: c.get('requestId') });
}
