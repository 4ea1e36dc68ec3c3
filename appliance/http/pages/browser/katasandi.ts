// /staff/kata-sandi: change one's own password (a temporary one must be changed before anything else).
import type { PasswordWord, StaffWord } from '../../../words/page-words.ts';
import { api, asApiError } from './api.ts';
import { $, msg } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { clearFieldErrors, fieldErrors, staffPage } from './staff.ts';

const t = pageWords<PasswordWord | StaffWord>();
staffPage();
const next = pageData<{ next: string }>().next || '/staff';
const form = $<HTMLFormElement>('#pw-form');
const value = (id: string) => $<HTMLInputElement>(id).value;

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  msg($('#pw-msg'), '');
  if (value('#pw-new') !== value('#pw-repeat')) {
    $('#e-repeat').textContent = t('pw_mismatch');
    $('#pw-repeat').focus();
    return;
  }
  api('POST', '/api/v1/auth/password', { currentPassword: value('#pw-current'), newPassword: value('#pw-new') }).then(
    () => {
      msg($('#pw-msg'), t('pw_done'), 'ok');
      location.href = next;
    },
    (err: unknown) => {
      const e = asApiError(err);
      if (!fieldErrors(form, e)) msg($('#pw-msg'), e.message);
    },
  );
});
$('#pw-current').focus();
