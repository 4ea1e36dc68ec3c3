import type { ErrorAnswer } from '../../schemas/common.ts';
import { hasWord, pageData, t } from './island.ts';

/** An API refusal: the API's own message (in the page's language), its status, code and details. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

function csrf(): string {
  const m = document.querySelector('meta[name=csrf-token]');
  return (m && m.getAttribute('content')) || '';
}

const staffPage = !!pageData().staff;

/** One JSON call to the box's API; the answer typed by the caller from appliance/http/schemas. */
export function api<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf();
  return fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) }).then(
    (r) =>
      r.text().then((txt) => {
        let j: unknown = null;
        try {
          j = txt ? JSON.parse(txt) : null;
        } catch {
          j = null;
        }
        if (!r.ok) {
          const e = (j as Partial<ErrorAnswer> | null)?.error;
          if (r.status === 401 && staffPage) location.href = '/staff/login?next=' + encodeURIComponent(location.pathname + location.search);
          throw new ApiError(e?.message || (hasWord('netError') ? t('netError') : 'Error') + ' (' + r.status + ')', r.status, e?.code, e?.details || {});
        }
        return j as T;
      }),
    () => {
      throw new ApiError(hasWord('offline') ? t('offline') : 'Offline', 0);
    },
  );
}

/** An error's message with the API's field issues appended (forms without a place per field). */
export function issuesText(e: ApiError): string {
  const issues = (e.details.issues as { path?: string; message: string }[] | undefined) || [];
  return (
    e.message +
    (issues.length ? ' ' + issues.map((i) => (i.path ? i.path + ': ' : '') + i.message).join('; ') : '') +
    (e.details.reason && !issues.length ? ' (' + String(e.details.reason) + ')' : '')
  );
}

/** The caught value as an ApiError (anything else: its message, status 0). */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(e instanceof Error ? e.message : String(e), 0);
}
