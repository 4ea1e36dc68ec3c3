import type { Handler, MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { allow, register, type Access } from '../access.ts';
import type { Role } from '../../clinic/staff.ts';
import { words } from '../../words/index.ts';
import { MessagePage, render } from './layout.tsx';

/** Where a session with a temporary password is sent (office/password.tsx). */
export const passwordChangePage = '/staff/kata-sandi';

/**
 * A page's access guard. Staff pages send a browser without a session to the login page (with
 * a way back) instead of answering JSON 401; a wrong role gets a readable 403 page. The access
 * list itself is still enforced by `allow(...)`, the same middleware as the API's.
 */
export function pageGuard(...access: Access[]): MiddlewareHandler<AppEnv> {
  const check = allow(...access);
  const open = access.includes('public') || access.includes('ticket');
  return async (c, next) => {
    if (!open) {
      const session = c.get('session');
      if (!session) {
        const url = new URL(c.req.url);
        return c.redirect(`/staff/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
      }
      // A temporary password from an admin: no staff page before it is changed (the API refuses the rest).
      if (session.mustChangePassword && c.req.path !== passwordChangePage) {
        const url = new URL(c.req.url);
        return c.redirect(`${passwordChangePage}?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
      }
      if (!access.includes(session.actor.role)) {
        const lang = c.get('lang');
        return render(
          c,
          <MessagePage
            c={c}
            variant="tablet"
            testid="forbidden"
            title={words(lang).notAllowed}
            text={words(lang).yourRoleMayNotOpen}
            link={{ href: '/staff', text: words(lang).toStaffHome }}
          />,
          403,
        );
      }
    }
    return check(c, next);
  };
}

/** Declares a GET page: listed in the route table with its access, guarded, then handled. */
export function page(app: OpenAPIHono<AppEnv>, path: string, access: Access[], handler: Handler<AppEnv>, routePath = path) {
  register({ method: 'GET', path, access, kind: 'page' });
  app.get(routePath, pageGuard(...access), handler);
}

export const staffRoles: Role[] = ['doctor', 'nurse', 'pharmacist', 'admin', 'midwife'];
