// /staff/akun: staff accounts. Create, deactivate/activate (confirmed in the row), and a temporary
// password made here, shown once, that the user must change at the next login.
import type { AccountsWord, StaffWord } from '../../../words/page-words.ts';
import type { StaffAnswer } from '../../schemas/admin.ts';
import { api, asApiError, type ApiError } from './api.ts';
import { $, fill, h, msg, show } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { clearFieldErrors, fieldErrors, formJson, staffPage } from './staff.ts';

const t = pageWords<AccountsWord | StaffWord>();
staffPage();
const me = pageData<{ me: string }>().me;
type Account = StaffAnswer['staff'][number];

const roleWord = (r: Account['role']) =>
  r === 'doctor' ? t('doctor') : r === 'nurse' ? t('nurse') : r === 'pharmacist' ? t('pharmacist') : r === 'midwife' ? t('acc_midwife') : 'Admin';

/**
 * A temporary password: 3 groups of 4 from an alphabet without look-alikes (no 0/o, 1/l/i), about
 * 59 bits from the browser's CSPRNG; easy to read out and type on a tablet.
 */
function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  let out = '';
  for (let i = 0; i < 12; i++) out += (i && i % 4 === 0 ? '-' : '') + alphabet[bytes[i] % alphabet.length];
  return out;
}

const say = (text: string, kind: 'ok' | 'err' = 'ok') => msg($('#acc-msg'), text, kind);

/** A row's confirm step: the question and two buttons in place of the actions, focus on "yes". */
function confirmIn(cell: HTMLElement, question: string, yes: string, onYes: () => void, restore: () => void) {
  const yesButton = h('button', { type: 'button', class: 'bad', 'data-testid': 'confirm-yes', onclick: onYes }, yes);
  fill(
    cell,
    h('div', { class: 'small', role: 'alert' }, question),
    h('div', { class: 'row' }, yesButton, h('button', { type: 'button', class: 'sec', 'data-testid': 'confirm-no', onclick: restore }, t('cancel'))),
  );
  yesButton.focus();
}

function setTemporary(a: Account, attempt = 1) {
  const password = temporaryPassword();
  api('PUT', '/api/v1/admin/staff/' + a.id + '/password', { password }).then(
    () => {
      $('#acc-temp-who').textContent = t('acc_tempShown', { u: a.username });
      $('#acc-temp-password').textContent = password;
      show($('#acc-temp'), true);
      msg($('#acc-msg'), '');
      $('#acc-temp').focus();
      load();
    },
    (err: unknown) => {
      const e = asApiError(err);
      // A random password can, rarely, hold a part of the name: make another.
      if (e.status === 422 && attempt < 3) setTemporary(a, attempt + 1);
      else say(e.message, 'err');
    },
  );
}

function actions(a: Account, cell: HTMLElement) {
  const restore = () => actions(a, cell);
  const toggle = a.active
    ? h(
        'button',
        {
          type: 'button',
          class: 'sec',
          'data-testid': 'deactivate-' + a.username,
          onclick: () =>
            confirmIn(
              cell,
              t('acc_confirmDeactivate', { u: a.username }),
              t('acc_yesDeactivate'),
              () =>
                api('POST', '/api/v1/admin/staff/' + a.id + '/deactivate').then(
                  () => {
                    say(t('acc_deactivated', { u: a.username }));
                    load();
                  },
                  (e: unknown) => {
                    say(asApiError(e).message, 'err');
                    restore();
                  },
                ),
              restore,
            ),
        },
        t('acc_deactivate'),
      )
    : h(
        'button',
        {
          type: 'button',
          class: 'sec',
          'data-testid': 'activate-' + a.username,
          onclick: () =>
            api('POST', '/api/v1/admin/staff/' + a.id + '/activate').then(
              () => {
                say(t('acc_activated', { u: a.username }));
                load();
              },
              (e: unknown) => say(asApiError(e).message, 'err'),
            ),
        },
        t('acc_activate'),
      );
  const reset = h(
    'button',
    {
      type: 'button',
      class: 'sec',
      'data-testid': 'reset-' + a.username,
      onclick: () => confirmIn(cell, t('acc_confirmReset', { u: a.username }), t('acc_yesReset'), () => setTemporary(a), restore),
    },
    t('acc_resetPassword'),
  );
  fill(cell, a.id === me ? null : h('div', { class: 'row' }, toggle, reset));
}

function load() {
  api<StaffAnswer>('GET', '/api/v1/admin/staff').then(
    (r) =>
      fill(
        $('#acc-rows'),
        r.staff.map((a) => {
          const cell = h('td');
          actions(a, cell);
          return h(
            'tr',
            { 'data-testid': 'account-' + a.username, class: a.active ? '' : 'muted' },
            h('td', null, a.username, a.id === me ? ' ' + t('acc_you') : ''),
            h('td', null, a.fullName),
            h('td', null, roleWord(a.role)),
            h(
              'td',
              { 'data-testid': 'status-' + a.username },
              a.active ? t('active') : t('inactive'),
              a.mustChangePassword ? [h('br'), h('span', { class: 'small' }, t('acc_mustChange'))] : null,
            ),
            cell,
          );
        }),
      ),
    (e: unknown) => say(asApiError(e).message, 'err'),
  );
}

const form = $<HTMLFormElement>('#acc-form');
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const body = formJson(form);
  clearFieldErrors(form);
  api('POST', '/api/v1/admin/staff', body).then(
    () => {
      say(t('created', { u: String(body.username) }));
      form.reset();
      load();
    },
    (err: unknown) => {
      const e: ApiError = asApiError(err);
      if (!fieldErrors(form, e)) say(e.message, 'err');
    },
  );
});
load();
