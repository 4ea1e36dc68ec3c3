import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import { allow, register, type Access } from './access.ts';
import { errorAnswer } from './schemas/common.ts';

/**
 * Declares an API route: its access list is enforced by middleware, listed in the route table
 * and written into the OpenAPI document (`x-access`), so integrators see who may call it.
 */
export function apiRoute<const R extends Omit<RouteConfig, 'middleware'>>(access: Access[], route: R) {
  register({ method: route.method.toUpperCase(), path: route.path.replace(/\{(\w+)\}/g, ':$1'), access, kind: 'api' });
  const description = `${route.description ?? ''}\n\nAccess: ${access.join(', ')}`.trim();
  const created = createRoute({ ...route, description, 'x-access': access, middleware: [allow(...access)] as const });
  return created as Omit<typeof created, 'responses'> & { responses: NumericStatusKeys<R['responses']> };
}

/**
 * `{ ...jsonResponses(…), 404: … }` inside `apiRoute`'s const type parameter turns the spread's
 * status keys into strings ("200"), which @hono/zod-openapi does not recognise as statuses: the
 * handler's typed answer then becomes `never`. Turned back into numbers here.
 */
type NumericStatusKeys<T> = { [K in keyof T as K extends `${infer N extends number}` ? N : K]: T[K] };

export const jsonBody = <T>(schema: T, description = 'JSON body') => ({
  body: { required: true, description, content: { 'application/json': { schema } } },
});

/** An error answer as documented: the one shape `{ error: { code, message, details } }` (errors.ts). */
export const errorContent = (description: string) => ({ description, content: { 'application/json': { schema: errorAnswer } } });

/**
 * A JSON answer with its schema, and the errors every API route can answer. The schemas type the
 * handlers too: @hono/zod-openapi then only accepts `c.json(...)` of that shape and a documented
 * status, so what is documented and what is sent are checked by TypeScript (and by
 * test/openapi-examples.test.ts against live answers).
 */
export const jsonResponses = <S extends z.ZodType>(description: string, schema: S) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: errorContent('validation failed'),
  401: errorContent('not logged in'),
  403: errorContent('role not allowed'),
});

// Domain schemas are built before @hono/zod-openapi extends zod, so they carry their OpenAPI
// examples through zod's own `.meta({ example })`, which the document generator reads too.
