import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { actorOf, deviceOf, remoteOf, sessionCookie } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { errorResponse, HttpError } from '../errors.ts';
import { loggedOutAnswer, sessionAnswer } from '../schemas/auth.ts';
import { login, logout } from '../../clinic/staff.ts';
import { text } from '../../clinic/text.ts';
import { LoginThrottle } from '../login-throttle.ts';
import { format, words } from '../../words/index.ts';

const loginBody = z
  .object({ username: text().min(1).max(64), password: text().min(1).max(200) })
  .strict()
  .openapi({ example: { username: 'dokter', password: 'demo-dokter-123' } });

export function registerAuth(app: OpenAPIHono<AppEnv>, now: () => Date = () => new Date()) {
  const throttle = new LoginThrottle(() => now().getTime());

  app.openapi(
    apiRoute(['public'], {
      method: 'post', path: '/api/v1/auth/login', tags: ['auth'], summary: 'Log in as staff',
      request: jsonBody(loginBody),
      responses: { ...jsonResponses('logged in; the session cookie is set', sessionAnswer), 429: errorContent('too many failures') },
    }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const device = deviceOf(c);
      const attempt = throttle.begin(username, remoteOf(c));
      if (!('succeeded' in attempt)) {
        const seconds = Math.ceil(attempt.wait / 1000);
        c.header('Retry-After', String(seconds));
        const message = format(words(c.get('lang')).loginThrottled, { seconds });
        return errorResponse(c, 'rate_limited', { retryAfterSeconds: seconds }, message);
      }
      const result = await login(c.get('deps').db, username, password, device);
      if (!result) {
        c.get('log').warn({ username, device }, 'login failed');
        throw new HttpError('unauthenticated', { reason: 'wrong username or password' });
      }
      attempt.succeeded();
      setCookie(c, sessionCookie, result.token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: c.get('deps').secureCookies, maxAge: 12 * 3600 });
      c.get('log').info({ username, role: result.session.actor.role }, 'staff logged in');
      return c.json({ name: result.session.actor.name, role: result.session.actor.role, csrfToken: result.session.csrfToken }, 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'nurse', 'pharmacist', 'admin'], {
      method: 'post', path: '/api/v1/auth/logout', tags: ['auth'], summary: 'Log out', responses: jsonResponses('logged out', loggedOutAnswer),
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
      method: 'get', path: '/api/v1/auth/me', tags: ['auth'], summary: 'Who am I (and my CSRF token)', responses: jsonResponses('the session', sessionAnswer),
    }),
    (c) => {
      const actor = actorOf(c);
      return c.json({ name: actor.name, role: actor.role, csrfToken: c.get('session')!.csrfToken }, 200);
    },
  );
}
