import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role } from '../clinic/staff.ts';
import { sessionOf } from '../clinic/staff.ts';
import type { AppEnv } from './env.ts';
import { HttpError } from './errors.ts';

/**
 * Who may use a route. Every route states it; `routeTable` lists them all so that a test can
 * walk every route with every role and with no session.
 * - a staff role: a logged-in session with that role
 * - 'ticket': the patient's ticket link (the token in the path is the grant)
 * - 'public': anyone on the clinic network
 * - 'monitor': the box itself (loopback), a configured monitoring address or the metrics token
 */
export type Access = Role | 'ticket' | 'public' | 'monitor';

export interface RouteEntry {
  method: string;
  path: string;
  access: readonly Access[];
  kind: 'api' | 'page';
}
const routes = new Map<string, RouteEntry>();
/** Every route declared so far (each app instance declares the same ones). */
export const routeTable = () => [...routes.values()];

export const sessionCookie = 'simpul_session';
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Loads the staff session from its cookie, if any. Runs on every request. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = getCookie(c, sessionCookie);
  if (token) {
    const session = await sessionOf(c.get('deps').db, token, deviceOf(c));
    if (session) c.set('session', session);
  }
  await next();
};

/** The device a request came from: its LAN address (no proxy in front of a box) and browser. */
export function deviceOf(c: { env: AppEnv['Bindings'] | undefined; req: { header(name: string): string | undefined } }): string {
  return `${remoteOf(c)} ${(c.req.header('user-agent') ?? '').slice(0, 120)}`.trim();
}

export const remoteOf = (c: { env: AppEnv['Bindings'] | undefined }) => c.env?.remoteAddress ?? 'unknown';

/** Enforces a route's access list, and CSRF on unsafe methods made with a session cookie. */
export function allow(...access: Access[]): MiddlewareHandler<AppEnv> {
  const staffRoles = access.filter((a) => a !== 'ticket' && a !== 'public' && a !== 'monitor');
  return async (c, next) => {
    if (access.includes('public') || access.includes('ticket')) return next();
    const session = c.get('session');
    if (!session) throw new HttpError('unauthenticated');
    if (!staffRoles.includes(session.actor.role)) throw new HttpError('forbidden', { allowed: staffRoles });
    // A temporary password from an admin: the API answers nothing but the change until it is made.
    if (session.mustChangePassword && c.req.path.startsWith('/api/') && !openWithTemporaryPassword.has(c.req.path)) {
      throw new HttpError('password_change_required', { changeAt: '/api/v1/auth/password' });
    }
    if (unsafe.has(c.req.method) && c.req.header('x-csrf-token') !== session.csrfToken) throw new HttpError('csrf');
    return next();
  };
}

/** What a session with a temporary password may still call: change it, see who it is, log out. */
const openWithTemporaryPassword = new Set(['/api/v1/auth/password', '/api/v1/auth/me', '/api/v1/auth/logout']);

export const register = (entry: RouteEntry) => void routes.set(`${entry.method} ${entry.path}`, entry);

/** The acting staff member; only call behind `allow(<staff roles>)`. */
export function actorOf(c: { get(key: 'session'): AppEnv['Variables']['session'] }) {
  const s = c.get('session');
  if (!s) throw new HttpError('unauthenticated');
  return s.actor;
}
