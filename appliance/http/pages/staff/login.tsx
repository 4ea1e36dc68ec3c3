import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { Layout, render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { staffCss, staffWords } from './layout.tsx';
import type { LoginWord, PageWords, StaffWord } from '../../../words/page-words.ts';

/** /staff/login: the form posts to the JSON API (browser/login.ts); `next` leads back to a staff page only. */
export function registerStaffLogin(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/login', ['public'], (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const next = c.req.query('next');
    const safeNext = next && /^\/staff(\/[A-Za-z0-9/_.-]*)?(\?[^\s<>"]*)?$/.test(next) ? next : '/staff';
    return render(
      c,
      <Layout
        c={c}
        title={w.staffLogin}
        variant="tablet"
        extraCss={staffCss}
        scripts={['login']}
        strings={{ ...staffWords(lang), wrong: w.wrong } satisfies PageWords<LoginWord | StaffWord>}
        data={{ next: safeNext }}
      >
        <main style="max-width:460px">
          <h1>{w.staffLogin}</h1>
          <form id="login-form" class="card" data-testid="login-form" method="post" action="#" autocomplete="on">
            <label for="username">{w.username}</label>
            <input id="username" name="username" data-testid="login-username" autocomplete="username" autocapitalize="none" required style="width:100%" />
            <label for="password">{w.password}</label>
            <input id="password" name="password" type="password" data-testid="login-password" autocomplete="current-password" required style="width:100%" />
            <div id="login-error" class="msg err" data-testid="login-error" role="alert" hidden></div>
            <p>
              <button type="submit" class="big" data-testid="login-submit">
                {w.logIn}
              </button>
            </p>
          </form>
          {c.get('deps').demo ? (
            <p class="small muted" data-testid="demo-hint">
              {w.demoModeTheDemoAccounts}
            </p>
          ) : null}
        </main>
      </Layout>,
    );
  });
}
