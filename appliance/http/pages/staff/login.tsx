import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tr } from '../../i18n.ts';
import { Layout, render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { staffCss, staffWords } from './layout.tsx';

/** /staff/login: the form posts to the JSON API (browser/login.ts); `next` leads back to a staff page only. */
export function registerStaffLogin(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/login', ['public'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const next = c.req.query('next');
    const safeNext = next && /^\/staff(\/[A-Za-z0-9/_.-]*)?(\?[^\s<>"]*)?$/.test(next) ? next : '/staff';
    return render(c, (
      <Layout c={c} title={t('Masuk petugas', 'Staff login')} variant="tablet" extraCss={staffCss} scripts={['login']}
        strings={{ ...staffWords(lang), wrong: t('Nama pengguna atau kata sandi salah.', 'Wrong username or password.') }} data={{ next: safeNext }}>
        <main style="max-width:460px">
          <h1>{t('Masuk petugas', 'Staff login')}</h1>
          <form id="login-form" class="card" data-testid="login-form" method="post" action="#" autocomplete="on">
            <label for="username">{t('Nama pengguna', 'Username')}</label>
            <input id="username" name="username" data-testid="login-username" autocomplete="username" autocapitalize="none" required style="width:100%" />
            <label for="password">{t('Kata sandi', 'Password')}</label>
            <input id="password" name="password" type="password" data-testid="login-password" autocomplete="current-password" required style="width:100%" />
            <div id="login-error" class="msg err" data-testid="login-error" role="alert" hidden></div>
            <p><button type="submit" class="big" data-testid="login-submit">{t('Masuk', 'Log in')}</button></p>
          </form>
          {c.get('deps').demo ? <p class="small muted" data-testid="demo-hint">{t('Mode demo: akun demo tercetak di konsol saat kotak dinyalakan.', 'Demo mode: the demo accounts are printed on the console at start.')}</p> : null}
        </main>
      </Layout>
    ));
  });
}
