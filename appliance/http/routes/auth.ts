import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { actorOf, deviceOf, remoteOf, sessionCookie } from '../access.ts';
import { apiRoute, jsonBody, jsonResponses } from '../openapi.ts';
import { errorResponse, HttpError } from '../errors.ts';
import { login, logout } from '../../clinic/staff.ts';
import { roles } from '../../clinic/staff.ts';
import { text } from '../../clinic/text.ts';

/**
 * Login throttle: after 5 failures for a username or a device address within 15 minutes, each
 * further try waits out a lock that doubles from 30 s. Kept in memory: a restart forgives.
 */
class LoginThrottle {
  private failures = new Map<string, { count: number; first: number; lockedUntil: number }>();
  check(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && f.lockedUntil > now) wait = Math.max(wait, f.lockedUntil - now);
    }
    return wait;
  }
  fail(keys: string[], now = Date.now()) {
    for (const k of keys) {
      let f = this.failures.get(k);
      if (!f || now - f.first > 15 * 60_000) f = { count: 0, first: now, lockedUntil: 0 };
      f.count++;
      if (f.count >= 5) f.lockedUntil = now + 30_000 * 2 ** Math.min(f.count - 5, 6);
      this.failures.set(k, f);
    }
    if (this.failures.size > 10_000) this.failures.clear();
  }
  succeed(keys: string[]) {
    for (const k of keys) this.failures.delete(k);
  }
}

const loginBody = z
  .object({ username: text().min(1).max(64), password: text().min(1).max(200) })
  .strict()
  .openapi({ example: { username: 'dokter', password: 'demo-dokter-123' } });

const me = z.object({ name: z.string(), role: z.enum(roles), csrfToken: z.string() });

export function registerAuth(app: OpenAPIHono<AppEnv>) {
  const throttle = new LoginThrottle();

  app.openapi(
    apiRoute(['public'], {
      method: 'post', path: '/api/v1/auth/login', tags: ['auth'], summary: 'Log in as staff',
      request: jsonBody(loginBody),
      responses: { ...jsonResponses('logged in; the session cookie is set', me), 429: { description: 'too many failures' } },
    }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const device = deviceOf(c);
      const keys = [`u:${username}`, `d:${remoteOf(c)}`];
      const wait = throttle.check(keys);
      if (wait > 0) return errorResponse(c, 'rate_limited', { retryAfterSeconds: Math.ceil(wait / 1000) });
      const result = await login(c.get('deps').db, username, password, device);
      if (!result) {
        throttle.fail(keys);
        c.get('log').warn({ username, device }, 'login failed');
        throw new HttpError('unauthenticated', { reason: 'wrong username or password' });
      }
      throttle.succeed(keys);
      setCookie(c, sessionCookie, result.token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: c.get('deps').secureCookies, maxAge: 12 * 3600 });
      c.get('log').info({ username, role: result.session.actor.role }, 'staff logged in');
      return c.json({ name: result.session.actor.name, role: result.session.actor.role, csrfToken: result.session.csrfToken }, 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'pharmacist', 'admin'], {
      method: 'post', path: '/api/v1/auth/logout', tags: ['auth'], summary: 'Log out', responses: jsonResponses('logged out', z.object({ ok: z.boolean() })),
    }),
    async (c) => {
      const token = getCookie(c, sessionCookie);
      if (token) await logout(c.get('deps').db, token);
      deleteCookie(c, sessionCookie, { path: '/' });
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'pharmacist', 'admin'], {
      method: 'get', path: '/api/v1/auth/me', tags: ['auth'], summary: 'Who am I (and my CSRF token)', responses: jsonResponses('the session', me),
    }),
    (c) => {
      const actor = actorOf(c);
      return c.json({ name: actor.name, role: actor.role, csrfToken: c.get('session')!.csrfToken }, 200);
    },
  );
}
