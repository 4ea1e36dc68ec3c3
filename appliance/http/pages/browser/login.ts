// /staff/login: posts to the JSON API; the API's own message is shown on failure.
import type { LoginWord, StaffWord } from '../../../words/page-words.ts';
import { api, asApiError } from './api.ts';
import { $, msg } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { staffPage } from './staff.ts';

const t = pageWords<LoginWord | StaffWord>();

staffPage();
const data = pageData<{ next?: string }>();
const user = $<HTMLInputElement>('#username');
const password = $<HTMLInputElement>('#password');

$('#login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const btn = $<HTMLButtonElement>('[data-testid=login-submit]');
  btn.disabled = true;
  msg($('#login-error'), '');
  api('POST', '/api/v1/auth/login', { username: user.value.trim(), password: password.value }).then(
    () => {
      location.href = data.next || '/staff';
    },
    (err: unknown) => {
      const e = asApiError(err);
      btn.disabled = false;
      const s = e.details.retryAfterSeconds;
      msg($('#login-error'), (e.status === 401 ? t('wrong') : e.message) + (s ? ' (' + String(s) + ' s)' : ''));
      password.select();
    },
  );
});
user.focus();
