/** The operators' login form: posts to /login with the login form's own CSRF value (a cookie set with this page). */
import { hubWords, type HubLang } from '../words.ts';
import { HubLayout } from './layout.tsx';

export function LoginPage({ lang, csrf, error }: { lang: HubLang; csrf: string; error?: string }) {
  const w = hubWords[lang];
  return (
    <HubLayout lang={lang} path="/login" title={w.loginTitle} nav={<></>}>
      {error ? (
        <p class="warn" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="csrf" value={csrf} />
        <label>
          {w.username}
          <input name="username" autocomplete="username" autocapitalize="none" required maxlength={60} />
        </label>
        <label>
          {w.password}
          <input name="password" type="password" autocomplete="current-password" required maxlength={200} />
        </label>
        <button type="submit">{w.loginButton}</button>
      </form>
    </HubLayout>
  );
}
