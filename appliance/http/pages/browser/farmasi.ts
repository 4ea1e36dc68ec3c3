// /staff/farmasi: prescriptions to dispense (oldest first), awaiting pick-up, collected; stock.
import type { FarmasiWord, StaffWord } from '../../../words/page-words.ts';
import type { FormularyAnswer, FormularyItemAnswer, PharmacyQueueAnswer } from '../../schemas/pharmacy.ts';
import { api, asApiError } from './api.ts';
import { $, $$, closest, fill, h, msg } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { staffPage } from './staff.ts';
import { clock } from './time.ts';
import { arrowKeys, markSelected } from './tabs.ts';

const t = pageWords<FarmasiWord | StaffWord>();

staffPage();
const data = pageData<{ canAct?: boolean }>();
const LIMIT = 10;
const st = { status: 'issued', offset: 0, s: { q: '', offset: 0 } };

const owed = (i: { quantity: number; dispensedQuantity: number | null }) => (i.dispensedQuantity === null ? 0 : i.quantity - i.dispensedQuantity);
function load() {
  api<PharmacyQueueAnswer>('GET', '/api/v1/pharmacy/queue?status=' + st.status + '&limit=' + LIMIT + '&offset=' + st.offset).then(
    (r) => {
      const list = r.prescriptions || [];
      $('#rx-total').textContent = t('total', { n: r.total });
      fill(
        $('#rx'),
        list.length
          ? list.map((p) => {
              let short = false;
              const owedList = st.status === 'owed';
              const items = (p.items || []).map((i) => {
                // Stock beside each line where it decides something: to dispense, or to hand out what is owed.
                const need = owedList ? owed(i) : i.quantity;
                const low = (st.status === 'issued' || (owedList && need > 0)) && (i.stock ?? 0) < need;
                if (low) short = true;
                const errorId = 'rx-err-' + p.id + '-' + i.line;
                return h(
                  'li',
                  { 'data-formulary': i.formularyId },
                  i.name + ' ' + i.strength + ' (' + i.form + ')',
                  ' — ',
                  h('b', null, i.quantity + ' ' + i.unit),
                  ' · ' + i.signa + ' · ' + t('days', { n: i.days }) + ' ',
                  st.status === 'issued' || (owedList && need > 0)
                    ? h('span', { class: 'small ' + (low ? 'low' : 'muted') }, t('stock', { n: i.stock }) + (low ? ' — ' + t('short') : ''))
                    : null,
                  owed(i) ? h('span', { class: 'low', 'data-testid': 'rx-owed' }, ' ' + t('owed', { n: owed(i), unit: i.unit })) : null,
                  // A refusal about this medicine is said here, beside it (the button points at it).
                  h('div', { id: errorId, class: 'field-err', role: 'alert', 'data-testid': 'rx-line-error', hidden: true }),
                );
              });
              const label = p.ticketLabel || p.patientName;
              const btn = !data.canAct
                ? null
                : st.status === 'issued'
                  ? h(
                      'span',
                      { class: 'row' },
                      h(
                        'button',
                        { type: 'button', 'data-do': 'dispense', 'data-id': p.id, 'data-label': label, 'data-testid': 'rx-dispense', class: short ? 'sec' : null },
                        t('dispense'),
                      ),
                      // Short of stock: hand out what there is, the rest owed.
                      short
                        ? h(
                            'button',
                            { type: 'button', 'data-do': 'dispense', 'data-partial': '1', 'data-id': p.id, 'data-label': label, 'data-testid': 'rx-dispense-partial' },
                            t('dispensePartial'),
                          )
                        : null,
                    )
                  : st.status === 'dispensed'
                    ? h('button', { type: 'button', 'data-do': 'pick-up', 'data-id': p.id, 'data-label': label, 'data-testid': 'rx-pickup' }, t('pickUp'))
                    : owedList
                      ? h(
                          'button',
                          {
                            type: 'button',
                            'data-do': 'dispense-owed',
                            'data-id': p.id,
                            'data-label': label,
                            'data-testid': 'rx-dispense-owed',
                            'aria-describedby': (p.items || []).map((i) => 'rx-err-' + p.id + '-' + i.line).join(' '),
                          },
                          t('dispenseOwed'),
                        )
                      : null;
              return h(
                'div',
                { class: 'rx', 'data-testid': 'rx-card-' + (p.ticketLabel || p.id) },
                h(
                  'div',
                  { class: 'row', style: 'justify-content:space-between' },
                  h(
                    'div',
                    null,
                    h('span', { class: 'lbl' }, p.ticketLabel || t('noTicket')),
                    ' ',
                    h('b', null, p.patientName),
                    ' ',
                    h('span', { class: 'small muted' }, clock(p.issuedAt) + ' · ' + t('by', { name: p.prescriberName })),
                  ),
                  btn,
                ),
                h('ul', null, items),
                p.note ? h('div', { class: 'small' }, p.note) : null,
              );
            })
          : h('p', { class: 'muted' }, t('none')),
      );
      $('#pageno').textContent = t('page', { n: st.offset / LIMIT + 1 });
      $<HTMLButtonElement>('#prev').disabled = st.offset === 0;
      $<HTMLButtonElement>('#next').disabled = st.offset + LIMIT >= r.total;
    },
    (e: unknown) => msg($('#rx-msg'), asApiError(e).message),
  );
}
$('#rx').addEventListener('click', (ev) => {
  const b = closest<HTMLButtonElement>(ev, '[data-do]');
  if (!b) return;
  b.disabled = true;
  const what = b.getAttribute('data-do');
  const label = b.getAttribute('data-label');
  const partial = b.hasAttribute('data-partial');
  const card = b.closest('.rx');
  for (const e of card ? $$<HTMLElement>('[data-testid=rx-line-error]', card) : []) e.hidden = true;
  api('POST', '/api/v1/prescriptions/' + encodeURIComponent(b.getAttribute('data-id') || '') + '/' + what + (partial ? '?partial=true' : '')).then(
    () => {
      const done = partial ? 'dispensedPartly' : what === 'dispense' ? 'dispensed' : what === 'dispense-owed' ? 'dispensedOwed' : 'pickedUp';
      msg($('#rx-msg'), t(done, { label }), 'ok');
      load();
      loadStock();
    },
    (err: unknown) => {
      const e = asApiError(err);
      b.disabled = false;
      const d = e.details;
      // Short of a medicine: said beside that medicine's line (the message names it and what to do).
      const line = card && d.formularyId ? $$<HTMLElement>('li[data-formulary]', card).filter((li) => li.getAttribute('data-formulary') === d.formularyId)[0] : null;
      const beside = line ? $<HTMLElement>('[data-testid=rx-line-error]', line) : null;
      if (beside) {
        beside.textContent = e.message;
        beside.hidden = false;
        return;
      }
      msg($('#rx-msg'), e.message + (d.medicine ? ' — ' + String(d.medicine) + ': ' + String(d.needed) + ' / ' + String(d.available) + ' ' + String(d.unit || '') : ''));
    },
  );
});
const tabs = $$('#tabs [data-status]');
for (const b of tabs) {
  b.addEventListener('click', () => {
    st.status = b.getAttribute('data-status') || 'issued';
    st.offset = 0;
    markSelected(tabs, b);
    load();
  });
}
arrowKeys($('#tabs'), () => tabs);
$('#prev').addEventListener('click', () => {
  st.offset = Math.max(0, st.offset - LIMIT);
  load();
});
$('#next').addEventListener('click', () => {
  st.offset += LIMIT;
  load();
});

// ---- stock ----
const SL = 20;
function stockRow(d: FormularyItemAnswer) {
  const act = (kind: 'receipt' | 'adjust', testid: string, word: 'receive' | 'adjust') =>
    h('button', { type: 'button', class: 'sec', 'data-stock': kind, 'data-id': d.id, 'data-name': d.name, 'data-testid': testid }, t(word));
  return h(
    'tr',
    { 'data-testid': 'stock-row' },
    h('td', null, h('b', null, d.name), ' ' + d.strength + ' · ' + d.form),
    h('td', { class: 'small' }, d.kfaCode || '—'),
    h('td', { class: d.stock < 20 ? 'low' : '' }, d.stock + ' ' + d.unit),
    h(
      'td',
      null,
      data.canAct ? [h('div', { class: 'row' }, act('receipt', 'stock-receive', 'receive'), act('adjust', 'stock-adjust', 'adjust')), h('div', { class: 'sform' })] : null,
    ),
  );
}
function loadStock() {
  api<FormularyAnswer>('GET', '/api/v1/formulary?limit=' + SL + '&offset=' + st.s.offset + '&q=' + encodeURIComponent(st.s.q)).then(
    (r) => {
      const list = r.items || [];
      fill($('#stock-rows'), list.length ? list.map(stockRow) : h('tr', null, h('td', { colspan: 4, class: 'muted' }, t('none'))));
      $('#s-pageno').textContent = t('page', { n: st.s.offset / SL + 1 });
      $<HTMLButtonElement>('#s-prev').disabled = st.s.offset === 0;
      $<HTMLButtonElement>('#s-next').disabled = list.length < SL;
    },
    (e: unknown) => msg($('#stock-msg'), asApiError(e).message),
  );
}
$('#stock-rows').addEventListener('click', (ev) => {
  const b = closest(ev, 'button');
  if (!b) return;
  const box = $('.sform', b.closest('td'));
  if (b.hasAttribute('data-stock')) {
    const kind = b.getAttribute('data-stock');
    fill(
      box,
      h(
        'form',
        { class: 'row', style: 'margin-top:6px', 'data-kind': kind, 'data-id': b.getAttribute('data-id'), 'data-name': b.getAttribute('data-name') },
        h('input', { name: 'n', type: 'number', required: true, style: 'width:110px', placeholder: t(kind === 'receipt' ? 'qty' : 'delta'), 'data-testid': 'stock-qty' }),
        h('input', { name: 'reason', style: 'width:180px', placeholder: t('reason'), 'data-testid': 'stock-reason' }),
        h('button', { type: 'submit', 'data-testid': 'stock-save' }, t('save')),
        h('button', { type: 'button', class: 'sec', 'data-cancel': '1' }, t('cancel')),
      ),
    );
    return;
  }
  if (b.hasAttribute('data-cancel')) fill(box);
});
$('#stock-rows').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = ev.target as HTMLFormElement;
  const kind = f.getAttribute('data-kind');
  const n = Number((f.elements.namedItem('n') as HTMLInputElement).value);
  const reason = (f.elements.namedItem('reason') as HTMLInputElement).value.trim();
  const url = '/api/v1/formulary/' + encodeURIComponent(f.getAttribute('data-id') || '') + (kind === 'receipt' ? '/receipts' : '/adjustments');
  api<FormularyItemAnswer>('POST', url, kind === 'receipt' ? { quantity: n, reason } : { delta: n, reason }).then(
    (item) => {
      msg($('#stock-msg'), t('received', { name: f.getAttribute('data-name'), n: item.stock }), 'ok');
      loadStock();
      load();
    },
    (err: unknown) => {
      const e = asApiError(err);
      const issues = (e.details.issues as { path: string; message: string }[] | undefined) || [];
      msg(
        $('#stock-msg'),
        e.message + (issues.length ? ' ' + issues.map((i) => i.path + ': ' + i.message).join('; ') : '') + (e.details.reason ? ' (' + String(e.details.reason) + ')' : ''),
      );
    },
  );
});
let stimer: number | undefined;
const stockSearch = $<HTMLInputElement>('#stock-search');
stockSearch.addEventListener('input', () => {
  const q = stockSearch.value.trim();
  window.clearTimeout(stimer);
  stimer = window.setTimeout(() => {
    st.s.q = q;
    st.s.offset = 0;
    loadStock();
  }, 200);
});
$('#s-prev').addEventListener('click', () => {
  st.s.offset = Math.max(0, st.s.offset - SL);
  loadStock();
});
$('#s-next').addEventListener('click', () => {
  st.s.offset += SL;
  loadStock();
});

load();
loadStock();
// No event stream for prescriptions: the list refreshes every 15 s while the page is shown.
window.setInterval(() => {
  if (document.visibilityState === 'visible') load();
}, 15000);
