import { api, type ApiError } from './api.ts';
import { $, $$ } from './dom.ts';

/** What every staff page does: the header's log-out button. */
export function staffPage(): void {
  const logout = $('#logout');
  const toLogin = () => {
    location.href = '/staff/login';
  };
  if (logout) logout.addEventListener('click', () => void api('POST', '/api/v1/auth/logout').then(toLogin, toLogin));
}

/** Shows a 422/400 answer's field problems next to the fields (`.field-err[data-for=name]`) of a form. */
export function fieldErrors(form: HTMLElement, e: ApiError): boolean {
  $$('.field-err', form).forEach((el) => (el.textContent = ''));
  const d = e.details;
  let any = false;
  for (const i of (d.issues as { path?: unknown; message: string }[] | undefined) || []) {
    const el = $('.field-err[data-for="' + String(i.path || '').split('.')[0] + '"]', form);
    if (el) {
      el.textContent = i.message;
      any = true;
    }
  }
  if (typeof d.field === 'string') {
    const el = $('.field-err[data-for="' + d.field + '"]', form);
    if (el) {
      el.textContent = String(d.reason || d.problem || e.message);
      any = true;
    }
  }
  return any;
}

export function clearFieldErrors(form: HTMLElement): void {
  $$('.field-err', form).forEach((el) => (el.textContent = ''));
}

/** A form's fields as JSON: checkboxes as booleans, empty text left out, text trimmed. */
export function formJson(form: HTMLElement): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  $$<HTMLInputElement>('input,select,textarea', form).forEach((el) => {
    if (!el.name) return;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else if (el.value.trim() !== '') out[el.name] = el.value.trim();
  });
  return out;
}
