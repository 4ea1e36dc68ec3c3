import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import { allow, register, type Access } from './access.ts';

/**
 * Declares an API route: its access list is enforced by middleware, listed in the route table
 * and written into the OpenAPI document (`x-access`), so integrators see who may call it.
 */
export function apiRoute<const R extends Omit<RouteConfig, 'middleware'>>(access: Access[], route: R) {
  register({ method: route.method.toUpperCase(), path: route.path.replace(/\{(\w+)\}/g, ':$1'), access, kind: 'api' });
  const description = `${route.description ?? ''}\n\nAccess: ${access.join(', ')}`.trim();
  return createRoute({ ...route, description, 'x-access': access, middleware: [allow(...access)] as const });
}

export const jsonBody = <T>(schema: T, description = 'JSON body') => ({
  body: { required: true, description, content: { 'application/json': { schema } } },
});

/** A response documented as JSON; handlers shape it, the OpenAPI document names it. */
export const jsonResponses = <S extends z.ZodType>(description: string, schema: S) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: { description: 'validation failed' },
  401: { description: 'not logged in' },
  403: { description: 'role not allowed' },
});

// Domain schemas are built before @hono/zod-openapi extends zod, so they carry their OpenAPI
// examples through zod's own `.meta({ example })`, which the document generator reads too.
