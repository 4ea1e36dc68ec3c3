// /staff/audit: the audit trail, newest first, 20 a page; filtered by patient (name, NIK, JKN),
// staff, kind of data and a date range (local days, both ends included).
import type { AuditWord, StaffWord } from '../../../words/page-words.ts';
import type { AuditAnswer } from '../../schemas/admin.ts';
import { api, asApiError } from './api.ts';
import { $, fill, h, msg } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { clearFieldErrors, fieldErrors, formJson, staffPage } from './staff.ts';
import { clock } from './time.ts';

const t = pageWords<AuditWord | StaffWord>();
staffPage();
const LIMIT = 20;
const form = $<HTMLFormElement>('#audit-form');

/** The box's zone as an offset: a day on the form is the clinic's local day. */
const offset = ({ 'Asia/Makassar': '+08:00', 'Asia/Jayapura': '+09:00' } as Record<string, string>)[pageData().tz || ''] || '+07:00';
function nextDay(d: string) {
  const x = new Date(d + 'T00:00:00Z');
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}

let offsetRows = 0;
let query = '';

function load() {
  msg($('#audit-error'), '');
  api<AuditAnswer>('GET', '/api/v1/admin/audit?limit=' + LIMIT + '&offset=' + offsetRows + query).then(
    (r) => {
      fill(
        $('#audit-rows'),
        r.entries.length
          ? r.entries.map((e) =>
              h(
                'tr',
                { 'data-testid': 'audit-row' },
                h('td', { class: 'small' }, clock(e.at, true)),
                h('td', null, e.staffName || e.staff || '—'),
                h('td', { 'data-key': e.actionKey }, e.actionText, e.detail && e.entity !== 'patient' ? h('span', { class: 'small muted' }, ' — ' + e.detail) : null),
                h('td', null, e.patientName || ''),
                h('td', { class: 'small', title: e.device }, e.device.slice(0, 40)),
              ),
            )
          : h('tr', null, h('td', { colspan: 5, class: 'muted' }, t('none'))),
      );
      $('#audit-page').textContent = t('page', { n: offsetRows / LIMIT + 1 });
      $<HTMLButtonElement>('#audit-prev').disabled = offsetRows === 0;
      $<HTMLButtonElement>('#audit-next').disabled = r.entries.length < LIMIT;
    },
    (err: unknown) => {
      const e = asApiError(err);
      if (!fieldErrors(form, e)) msg($('#audit-error'), e.message);
    },
  );
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  const f = formJson(form);
  const from = typeof f.from === 'string' ? f.from : '';
  const to = typeof f.to === 'string' ? f.to : '';
  // Said next to the field rather than asked of the server: "to" is widened to the next midnight
  // below, which would hide a one-day reversal from the API's own check.
  if (from && to && from > to) {
    $('#e-from').textContent = t('auditRangeReversed');
    fill($('#audit-rows'));
    $('#a-from').focus();
    return;
  }
  if (typeof f.patient === 'string' && f.patient.length < 2) {
    $('#e-patient').textContent = t('aud_patientShort');
    return;
  }
  if (from) f.from = from + 'T00:00:00' + offset;
  if (to) f.to = nextDay(to) + 'T00:00:00' + offset;
  query = '';
  for (const k of Object.keys(f)) query += '&' + k + '=' + encodeURIComponent(String(f[k]));
  offsetRows = 0;
  load();
});
$('#audit-prev').addEventListener('click', () => {
  offsetRows = Math.max(0, offsetRows - LIMIT);
  load();
});
$('#audit-next').addEventListener('click', () => {
  offsetRows += LIMIT;
  load();
});
load();
