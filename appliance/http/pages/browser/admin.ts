// /staff/admin: outbox and the link to the centre (audit log, accounts: office pages). Lists page by 20.
import type { AdminWord, StaffWord } from '../../../words/page-words.ts';
import type { OutboxAnswer, SyncAnswer } from '../../schemas/admin.ts';
import { api, asApiError } from './api.ts';
import { $, fill, h, type Child } from './dom.ts';
import { pageWords } from './island.ts';
import { staffPage } from './staff.ts';
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

loadOutbox();
loadSync();
