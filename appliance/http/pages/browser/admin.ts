// /staff/admin: outbox, link to the centre, audit log with filters, staff accounts. Lists page by 20.
import type { AdminWord, StaffWord } from '../../../words/page-words.ts';
import type { AuditAnswer, OutboxAnswer, StaffAnswer, SyncAnswer } from '../../schemas/admin.ts';
import { api, asApiError } from './api.ts';
import { $, fill, h, msg, type Child } from './dom.ts';
import { pageWords } from './island.ts';
import { clearFieldErrors, fieldErrors, formJson, staffPage } from './staff.ts';
import { clock } from './time.ts';

const t = pageWords<AdminWord | StaffWord>();

staffPage();
const LIMIT = 20;

interface Paging {
  offset: number;
}

function pager(prefix: string, st: Paging, rows: number, reload: () => void) {
  $('#' + prefix + '-page').textContent = t('page', { n: st.offset / LIMIT + 1 });
  const prev = $<HTMLButtonElement>('#' + prefix + '-prev');
  const next = $<HTMLButtonElement>('#' + prefix + '-next');
  prev.disabled = st.offset === 0;
  next.disabled = rows < LIMIT;
  prev.onclick = () => {
    st.offset = Math.max(0, st.offset - LIMIT);
    reload();
  };
  next.onclick = () => {
    st.offset += LIMIT;
    reload();
  };
}
const bytes = (n: number) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB');
const none = (cols: number) => h('tr', null, h('td', { colspan: cols, class: 'muted' }, t('none')));
/** Table rows, or one row saying there is nothing. */
const rowsOr = (rows: Child[], cols: number) => (rows.length ? rows : none(cols));
const failRow = (cols: number, e: unknown) => h('tr', null, h('td', { colspan: cols, class: 'msg err' }, asApiError(e).message));

const ob: Paging = { offset: 0 };
function loadOutbox() {
  api<OutboxAnswer>('GET', '/api/v1/admin/outbox?limit=' + LIMIT + '&offset=' + ob.offset).then(
    (r) => {
      const s = r.summary;
      $('#ob-pending').textContent = String(s.pending);
      $('#ob-total').textContent = String(s.total);
      $('#ob-bytes').textContent = bytes(s.bytesPending || 0);
      $('#ob-oldest').textContent = s.oldestPendingAt ? clock(s.oldestPendingAt, true) : t('never');
      $('#ob-types').textContent = (s.byType || []).map((x) => x.type + ': ' + x.pending).join(' · ');
      const rows = r.entries || [];
      const pill = (status: string) => (status === 'delivered' ? 'st-serving' : status === 'parked' ? 'st-skipped' : 'st-called');
      fill(
        $('#ob-rows'),
        rowsOr(
          rows.map((e) =>
            h(
              'tr',
              null,
              h('td', null, e.seq),
              h('td', null, e.type),
              h('td', { class: 'small' }, e.entity_id + ' v' + e.entity_version),
              h('td', { class: 'small' }, clock(e.created_at, true)),
              h('td', null, h('span', { class: 'pill ' + pill(e.status) }, t(e.status))),
            ),
          ),
          5,
        ),
      );
      pager('ob', ob, rows.length, loadOutbox);
    },
    (e: unknown) => fill($('#ob-rows'), failRow(5, e)),
  );
}

function loadSync() {
  api<SyncAnswer>('GET', '/api/v1/admin/sync').then(
    (r) => {
      const s = r.sync;
      $('#sy-state').textContent = !s.enabled ? t('notEnrolled') : s.connected ? t('connected') : t('syncOffline');
      $('#sy-last').textContent = s.lastSyncAt ? clock(s.lastSyncAt, true) : t('never');
      $('#sy-parked').textContent = String(s.parked);
      $('#sy-error').textContent = s.lastError ? t('lastError') + ': ' + s.lastError + (s.lastErrorAt ? ' (' + clock(s.lastErrorAt, true) + ')' : '') : '';
      const unpark = (seq: number) => () =>
        api('POST', '/api/v1/admin/sync/parked/' + seq + '/unpark').then(loadSync, (e: unknown) => ($('#sy-error').textContent = asApiError(e).message));
      fill(
        $('#sy-rows'),
        rowsOr(
          (r.parked || []).map((p) =>
            h(
              'tr',
              null,
              h('td', null, p.seq),
              h('td', null, p.type),
              h('td', { class: 'small' }, p.reason),
              h('td', null, h('button', { type: 'button', class: 'sec', 'data-unpark': p.seq, onclick: unpark(p.seq) }, t('resend'))),
            ),
          ),
          4,
        ),
      );
    },
    (e: unknown) => ($('#sy-error').textContent = asApiError(e).message),
  );
}

const au: Paging & { filter: Record<string, string | boolean> } = { offset: 0, filter: {} };
function nextDay(d: string) {
  const x = new Date(d + 'T00:00:00Z');
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}
function loadAudit() {
  let q = 'limit=' + LIMIT + '&offset=' + au.offset;
  for (const k of Object.keys(au.filter)) q += '&' + k + '=' + encodeURIComponent(String(au.filter[k]));
  msg($('#audit-error'), '');
  api<AuditAnswer>('GET', '/api/v1/admin/audit?' + q).then(
    (r) => {
      const rows = r.entries || [];
      fill(
        $('#audit-rows'),
        rowsOr(
          rows.map((e) =>
            h(
              'tr',
              null,
              h('td', { class: 'small' }, clock(e.at, true)),
              h('td', null, e.staff || ''),
              h('td', null, e.action),
              h('td', { class: 'small' }, e.entity, e.entity_id ? [h('br'), e.entity_id] : null),
              h('td', { class: 'small' }, e.patient_id || ''),
              h('td', { class: 'small', title: e.device }, String(e.device || '').slice(0, 48)),
            ),
          ),
          6,
        ),
      );
      pager('audit', au, rows.length, loadAudit);
    },
    (err: unknown) => {
      const e = asApiError(err);
      const issues = (e.details.issues as { path: string; message: string }[] | undefined) || [];
      msg($('#audit-error'), e.message + (issues.length ? ' ' + issues.map((i) => i.path + ': ' + i.message).join('; ') : ''));
    },
  );
}
$('#audit-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = formJson($('#audit-form'));
  // "To" is inclusive on the form; the API's bound is exclusive.
  if (typeof f.to === 'string') f.to = nextDay(f.to);
  au.filter = f;
  au.offset = 0;
  loadAudit();
});

function loadStaff() {
  api<StaffAnswer>('GET', '/api/v1/admin/staff').then(
    (r) => {
      const list = r.staff || [];
      fill(
        $('#staff-rows'),
        rowsOr(
          list.map((s) =>
            h(
              'tr',
              { 'data-testid': 'staff-row-' + s.username },
              h('td', null, s.username),
              h('td', null, s.fullName),
              h('td', null, s.role),
              h('td', null, s.active ? t('active') : t('inactive')),
            ),
          ),
          4,
        ),
      );
      const sel = $<HTMLSelectElement>('#a-staff');
      const cur = sel.value;
      const all = sel.options[0];
      fill(
        sel,
        all,
        list.map((s) => h('option', { value: s.id }, s.username)),
      );
      sel.value = cur;
    },
    (e: unknown) => msg($('#staff-msg'), asApiError(e).message),
  );
}
const staffForm = $<HTMLFormElement>('#staff-form');
staffForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const body = formJson(staffForm);
  clearFieldErrors(staffForm);
  api('POST', '/api/v1/admin/staff', body).then(
    () => {
      msg($('#staff-msg'), t('created', { u: String(body.username) }), 'ok');
      staffForm.reset();
      loadStaff();
    },
    (err: unknown) => {
      const e = asApiError(err);
      fieldErrors(staffForm, e);
      msg($('#staff-msg'), e.message);
    },
  );
});

loadOutbox();
loadSync();
loadAudit();
loadStaff();
