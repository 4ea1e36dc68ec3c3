import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { actorOf, deviceOf, remoteOf, sessionCookie } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { errorResponse, HttpError } from '../errors.ts';
import { loggedOutAnswer, sessionAnswer } from '../schemas/auth.ts';
import { changeOwnPassword, login, logout, roles, staffIdentity, tokenHashOf } from '../../clinic/staff.ts';
import { weakPassword } from '../../clinic/passwords.ts';
import { okAnswer } from '../schemas/admin.ts';
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
      method: 'post',
      path: '/api/v1/auth/login',
      tags: ['auth'],
      summary: 'Log in as staff',
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
      return c.json(
        { name: result.session.actor.name, role: result.session.actor.role, csrfToken: result.session.csrfToken, mustChangePassword: result.session.mustChangePassword },
        200,
      );
    },
  );

  app.openapi(
    apiRoute([...roles], {
      method: 'post',
      path: '/api/v1/auth/logout',
      tags: ['auth'],
      summary: 'Log out',
      responses: jsonResponses('logged out', loggedOutAnswer),
    }),
    async (c) => {
      const token = getCookie(c, sessionCookie);
      if (token) await logout(c.get('deps').db, token);
      deleteCookie(c, sessionCookie, { path: '/' });
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(
    apiRoute([...roles], {
      method: 'get',
      path: '/api/v1/auth/me',
      tags: ['auth'],
      summary: 'Who am I (and my CSRF token)',
      responses: jsonResponses('the session', sessionAnswer),
    }),
    (c) => {
      const actor = actorOf(c);
      const session = c.get('session')!;
      return c.json({ name: actor.name, role: actor.role, csrfToken: session.csrfToken, mustChangePassword: session.mustChangePassword }, 200);
    },
  );

  app.openapi(
    apiRoute([...roles], {
      method: 'post',
      path: '/api/v1/auth/password',
      tags: ['auth'],
      summary: 'Change my own password (required after an admin set a temporary one)',
      description: 'Needs the current password. The other sessions of the account end; this one stays.',
      request: jsonBody(
        z
          .object({ currentPassword: text().min(1).max(200), newPassword: text().min(10).max(200) })
          .strict()
          .openapi({ example: { currentPassword: 'demo-dokter-123', newPassword: 'kopi-tubruk-pagi-hari-42' } }),
      ),
      responses: { ...jsonResponses('changed', okAnswer), 422: errorContent('the current password is wrong') },
    }),
    async (c) => {
      const actor = actorOf(c);
      const { db } = c.get('deps');
      const { currentPassword, newPassword } = c.req.valid('json');
      const lang = c.get('lang');
      const weak = newPassword === currentPassword ? 'same' : weakPassword(newPassword, await staffIdentity(db, actor.staffId));
      if (weak) {
        const message = weak === 'same' ? words(lang).pw_sameAsCurrent : words(lang)[`weakPassword_${weak}`];
        throw new HttpError('validation_failed', { issues: [{ path: 'newPassword', message, reason: weak }] });
      }
      const token = getCookie(c, sessionCookie);
      if (!(await changeOwnPassword(db, actor, currentPassword, newPassword, token ? tokenHashOf(token) : null))) {
        return errorResponse(c, 'invalid', { issues: [{ path: 'currentPassword', message: words(lang).pw_currentWrong, reason: 'wrong_password' }] });
      }
      c.get('log').info({ role: actor.role }, 'staff changed own password');
      return c.json({ ok: true }, 200);
    },
  );
}
