import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { pageCss } from '../bundles.ts';
import { StaffLayout } from '../staff/layout.tsx';
import type { AccountsWord, PageWords } from '../../../words/page-words.ts';

const officeCss = pageCss('office');

/**
 * /staff/akun: the staff accounts (admin). Create one (midwife among the roles), deactivate and
 * activate, and set a temporary password made in the browser and shown once: the user must change
 * it at the next login (guard.tsx sends them to /staff/kata-sandi). browser/akun.ts fills the list.
 */
export function registerAccountsPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/akun', ['admin'], (c) => {
    const w = words(c.get('lang'));
    const strings: PageWords<AccountsWord> = {
      created: w.created,
      active: w.active,
      inactive: w.inactive,
      doctor: w.doctor,
      nurse: w.nurse,
      pharmacist: w.pharmacist,
      acc_midwife: w.acc_midwife,
      acc_deactivate: w.acc_deactivate,
      acc_activate: w.acc_activate,
      acc_confirmDeactivate: w.acc_confirmDeactivate,
      acc_yesDeactivate: w.acc_yesDeactivate,
      acc_resetPassword: w.acc_resetPassword,
      acc_confirmReset: w.acc_confirmReset,
      acc_yesReset: w.acc_yesReset,
      acc_tempShown: w.acc_tempShown,
      acc_tempOnce: w.acc_tempOnce,
      acc_deactivated: w.acc_deactivated,
      acc_activated: w.acc_activated,
      acc_mustChange: w.acc_mustChange,
      acc_you: w.acc_you,
      cancel: w.cancel,
    };
    return render(
      c,
      <StaffLayout c={c} title={w.staffAccounts} scripts={['akun']} strings={strings} extraCss={officeCss} data={{ me: c.get('session')!.actor.staffId }}>
        <main>
          <h1>{w.staffAccounts}</h1>
          <div id="acc-msg" class="msg" role="status" data-testid="accounts-msg" hidden></div>
          <div id="acc-temp" class="msg ok temp" role="status" tabindex={-1} data-testid="temp-password-box" hidden>
            <div id="acc-temp-who"></div>
            <output id="acc-temp-password" class="temp-password" data-testid="temp-password"></output>
            <div class="small">{w.acc_tempOnce}</div>
          </div>
          <section class="card">
            <div class="tbl-wrap" tabindex={0} role="region" aria-label={w.staffAccounts}>
              <table data-testid="accounts-table">
                <thead>
                  <tr>
                    <th>{w.username}</th>
                    <th>{w.name}</th>
                    <th>{w.role}</th>
                    <th>{w.status}</th>
                    <th>{w.actions}</th>
                  </tr>
                </thead>
                <tbody id="acc-rows"></tbody>
              </table>
            </div>
          </section>
          <section class="card">
            <h2 style="margin-top:0">{w.createAnAccount}</h2>
            <form id="acc-form" class="filters" data-testid="account-create-form" novalidate>
              <div>
                <label for="s-username">{w.username}</label>
                <input id="s-username" name="username" autocapitalize="none" autocomplete="off" data-testid="account-username" aria-describedby="e-username" />
                <div class="field-err" id="e-username" data-for="username"></div>
              </div>
              <div>
                <label for="s-fullName">{w.fullName}</label>
                <input id="s-fullName" name="fullName" data-testid="account-fullName" aria-describedby="e-fullName" />
                <div class="field-err" id="e-fullName" data-for="fullName"></div>
              </div>
              <div>
                <label for="s-role">{w.role}</label>
                <select id="s-role" name="role" data-testid="account-role">
                  <option value="nurse">{w.nurse}</option>
                  <option value="doctor">{w.doctor}</option>
                  <option value="midwife">{w.acc_midwife}</option>
                  <option value="pharmacist">{w.pharmacist}</option>
                  <option value="admin">Admin</option>
                </select>
              </div>
              <div>
                <label for="s-password">{w.passwordMin10}</label>
                <input id="s-password" name="password" type="password" autocomplete="new-password" data-testid="account-password" aria-describedby="e-password" />
                <div class="field-err" id="e-password" data-for="password"></div>
              </div>
              <div>
                <button type="submit" data-testid="account-create">
                  {w.create}
                </button>
              </div>
            </form>
          </section>
        </main>
      </StaffLayout>,
    );
  });
}
