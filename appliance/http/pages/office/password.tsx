import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { render } from '../layout.tsx';
import { page, passwordChangePage, staffRoles } from '../guard.tsx';
import { StaffLayout } from '../staff/layout.tsx';
import type { PageWords, PasswordWord } from '../../../words/page-words.ts';

/** /staff/kata-sandi: change one's own password; where a temporary one sends every staff page first. */
export function registerPasswordPage(app: OpenAPIHono<AppEnv>) {
  page(app, passwordChangePage, staffRoles, (c) => {
    const w = words(c.get('lang'));
    const session = c.get('session')!;
    const next = c.req.query('next');
    return render(
      c,
      <StaffLayout
        c={c}
        title={w.pw_title}
        scripts={['katasandi']}
        strings={{ pw_mismatch: w.pw_mismatch, pw_done: w.pw_done } satisfies PageWords<PasswordWord>}
        data={{ next: next && next.startsWith('/staff') ? next : '/staff' }}
      >
        <main style="max-width:520px">
          <h1>{w.pw_title}</h1>
          {session.mustChangePassword ? (
            <p class="msg info" data-testid="password-temporary">
              {w.pw_intro}
            </p>
          ) : null}
          <form id="pw-form" class="card" data-testid="password-form" novalidate>
            <label for="pw-current">{w.field_currentPassword}</label>
            <input id="pw-current" name="currentPassword" type="password" autocomplete="current-password" aria-describedby="e-currentPassword" data-testid="password-current" />
            <div class="field-err" id="e-currentPassword" data-for="currentPassword"></div>
            <label for="pw-new">{w.pw_new}</label>
            <input id="pw-new" name="newPassword" type="password" autocomplete="new-password" aria-describedby="e-newPassword" data-testid="password-new" />
            <div class="field-err" id="e-newPassword" data-for="newPassword"></div>
            <label for="pw-repeat">{w.pw_repeat}</label>
            <input id="pw-repeat" name="repeat" type="password" autocomplete="new-password" aria-describedby="e-repeat" data-testid="password-repeat" />
            <div class="field-err" id="e-repeat" data-for="repeat"></div>
            <p>
              <button type="submit" data-testid="password-submit">
                {w.pw_submit}
              </button>
            </p>
            <div id="pw-msg" class="msg" role="status" hidden></div>
          </form>
        </main>
      </StaffLayout>,
    );
  });
}
