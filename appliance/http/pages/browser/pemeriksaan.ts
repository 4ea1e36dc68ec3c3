// /staff/pemeriksaan: the doctor's screen. Queue of a poli → open an encounter → SOAP, vitals,
// ICD-10 diagnoses, prescription, referral → close. The consultation panel and the saved call
// quality travel in this page's bundle.
import type { CallQualityWord, PemeriksaanWord, StaffWord } from '../../../words/page-words.ts';
import type { CallsAnswer } from '../../schemas/consultation.ts';
import type { EncounterAnswer, EncounterDetailAnswer, Icd10Answer } from '../../schemas/encounters.ts';
import type { FormularyAnswer, FormularyItemAnswer } from '../../schemas/pharmacy.ts';
import type { CalledAnswer, PolisAnswer, QueueListAnswer } from '../../schemas/queue.ts';
import type { HospitalsAnswer } from '../../schemas/referrals.ts';
import { api, asApiError, issuesText, type ApiError } from './api.ts';
import { doctorCallPage } from './call.ts';
import { callHistory } from './call-quality.ts';
import { $, $$, closest, fill, h, msg, show, type MsgKind } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { live } from './live.ts';
import { clearFieldErrors, fieldErrors, formJson, staffPage } from './staff.ts';
import { clock } from './time.ts';
import { whoAllergies, whoBlock, whoLine } from './who.ts';
import { loadHistory } from './history.ts';
import { arrowKeys, markSelected } from './tabs.ts';
import { focusField, press, shortcutKeys } from './shortcut-keys.ts';

const t = pageWords<PemeriksaanWord | StaffWord | CallQualityWord>();

staffPage();
doctorCallPage();

type Poli = PolisAnswer['polis'][number];
type Diagnosis = { code: string; name: string; kind: 'primary' | 'secondary' };
type Item = { formularyId: string; label: string; unit: string; stock: number; signa: string; quantity: string; days: string };
type Vitals = Record<string, number | string | null | undefined>;

const data = pageData<{ polis?: Poli[] }>();
const polis = data.polis || [];
const st = {
  poli: '',
  enc: null as EncounterDetailAnswer | null,
  label: '',
  dx: [] as Diagnosis[],
  items: [] as Item[],
  hospitals: [] as HospitalsAnswer['hospitals'],
  loadedVitals: {} as Vitals,
  queueTimer: undefined as number | undefined,
};
const enc = () => st.enc as EncounterDetailAnswer;

const note = (sel: string, text: string, kind: MsgKind = 'ok') => msg($(sel), text, kind);
const errorOf = (e: unknown) => issuesText(asApiError(e));

// ---- queue ----
function selectPoli(code: string) {
  st.poli = code;
  try {
    localStorage.setItem('simpul.exam.poli', code);
  } catch {
    /* ignore */
  }
  const tabs = $$('#tabs [data-poli]');
  markSelected(
    tabs,
    tabs.find((b) => b.getAttribute('data-poli') === code),
  );
  drawRooms(code);
  loadQueue();
}
// The doctor works from a room: remembered per tablet and poli, and every call goes there.
const roomSelect = $<HTMLSelectElement>('#room');
const roomKey = (code: string) => 'simpul.exam.room.' + code;
function drawRooms(code: string) {
  const poli = polis.find((p) => p.code === code);
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(roomKey(code));
  } catch {
    saved = null;
  }
  fill(
    roomSelect,
    (poli ? poli.rooms : []).map((r) => h('option', { selected: r === saved }, r)),
  );
}
roomSelect.addEventListener('change', () => {
  try {
    localStorage.setItem(roomKey(st.poli), roomSelect.value);
  } catch {
    /* ignore */
  }
});
const callNextButton = $<HTMLButtonElement>('#call-next');
// N: call the next patient; /: to the diagnosis search of the open visit (shown in the page's "Pintasan" line).
shortcutKeys({ n: () => press('#call-next'), '/': () => focusField('#icd-search') });
let calling = false;
callNextButton.addEventListener('click', () => {
  // Busy without `disabled`: a disabled button drops the focus to the top of the page.
  if (calling) return;
  calling = true;
  const room = roomSelect.value;
  api<CalledAnswer>('POST', '/api/v1/queue/' + encodeURIComponent(st.poli) + '/call-next', { room })
    .then(
      (r) => {
        note('#queue-msg', r.ticket ? t('calledTo', { label: r.ticket.label, room }) : t('nobody'), r.ticket ? 'ok' : 'info');
        // The keyboard goes to the called patient's "Periksa" in the list.
        focusAfterLoad = r.ticket ? r.ticket.label : null;
        loadQueue();
      },
      (e: unknown) => note('#queue-msg', errorOf(e), 'err'),
    )
    .then(() => {
      calling = false;
    });
});
const shown: Record<string, boolean> = { waiting: true, called: true, serving: true };
let focusAfterLoad: string | null = null;
function loadQueue() {
  const code = st.poli;
  api<QueueListAnswer>('GET', '/api/v1/queue/' + encodeURIComponent(code)).then(
    (r) => {
      if (code !== st.poli) return;
      const list = (r.tickets || []).filter((x) => shown[x.status]);
      fill(
        $('#queue'),
        list.length
          ? list.map((x) =>
              h(
                'div',
                { class: 'qrow', 'data-testid': 'exam-row-' + x.label },
                h(
                  'div',
                  null,
                  h('span', { class: 'lbl' }, x.label),
                  ' ',
                  h('span', { class: 'pill st-' + x.status }, t(`st_${x.status as 'waiting' | 'called' | 'serving'}`)),
                  x.patient ? whoBlock(x.patient) : x.patientId ? null : h('div', { class: 'small muted' }, t('noPatient')),
                ),
                x.patientId
                  ? h('button', { type: 'button', 'data-open': x.id, 'data-label': x.label, 'data-testid': 'exam-open' }, t(x.status === 'serving' ? 'resume' : 'open'))
                  : null,
              ),
            )
          : h('p', { class: 'muted' }, t('nobody')),
      );
      if (focusAfterLoad) {
        const open = $<HTMLButtonElement>('[data-testid="exam-row-' + focusAfterLoad + '"] [data-open]');
        focusAfterLoad = null;
        if (open) open.focus();
      }
    },
    (e: unknown) => note('#queue-msg', asApiError(e).message, 'err'),
  );
}
$('#queue').addEventListener('click', (ev) => {
  const b = closest<HTMLButtonElement>(ev, '[data-open]');
  if (!b) return;
  b.disabled = true;
  api<EncounterAnswer>('POST', '/api/v1/encounters', {
    ticketId: b.getAttribute('data-open'),
    mode: $<HTMLSelectElement>('#mode-new').value,
    room: roomSelect.value || undefined,
  }).then(
    (created) => {
      st.label = b.getAttribute('data-label') || '';
      void loadEncounter(created.id);
      loadQueue();
    },
    (e: unknown) => {
      b.disabled = false;
      note('#queue-msg', errorOf(e), 'err');
    },
  );
});
$$('#tabs [data-poli]').forEach((b) => b.addEventListener('click', () => selectPoli(b.getAttribute('data-poli') || '')));
arrowKeys($('#tabs'), () => $$('#tabs [data-poli]'));

// ---- encounter ----
const modeSelect = $<HTMLSelectElement>('#enc-mode');
function loadEncounter(id: string) {
  return api<EncounterDetailAnswer>('GET', '/api/v1/encounters/' + encodeURIComponent(id)).then(fillEncounter, (e: unknown) => note('#enc-msg', asApiError(e).message, 'err'));
}
let historyOf: string | null = null;
function fillEncounter(e: EncounterDetailAnswer) {
  st.enc = e;
  try {
    sessionStorage.setItem('simpul.exam.enc', e.id + '|' + st.label);
  } catch {
    /* ignore */
  }
  show($('#enc'), true);
  show($('#enc-empty'), false);
  $('#enc-ticket').textContent = st.label;
  $('#enc-patient').textContent = e.patientName;
  fill($('#enc-who'), e.patient ? [h('div', { 'data-testid': 'who-line' }, whoLine(e.patient)), whoAllergies(e.patient)] : null);
  $('#enc-meta').textContent = e.doctorName + ' · ' + clock(e.openedAt) + (e.status === 'closed' ? ' · ' + t('closed') : '');
  modeSelect.value = e.mode;
  st.loadedVitals = (e.vitals || {}) as Vitals;
  $$<HTMLInputElement>('[data-vital]').forEach((i) => {
    const v = st.loadedVitals[i.getAttribute('data-vital') || ''];
    i.value = v === undefined || v === null ? '' : String(v);
  });
  $$<HTMLTextAreaElement>('[data-soap]').forEach((i) => (i.value = e[i.getAttribute('data-soap') as 'subjective'] || ''));
  st.dx = (e.diagnoses || []).map((d) => ({ code: d.code, name: d.name, kind: d.kind }));
  drawDx();
  drawRx(e.prescriptions || []);
  drawRefs(e.referrals || []);
  drawConsent();
  if (historyOf !== e.id) {
    historyOf = e.id;
    loadHistory(e.patientId, e.id, e.ticketId);
  }
  if (calls.encounterId !== e.id) {
    calls.encounterId = e.id;
    calls.count = 0;
    fill($('#calls-list'));
    show($('#calls'), false);
    void loadCalls(e.id);
  }
  const closed = e.status === 'closed';
  $$<HTMLInputElement>('#enc input, #enc textarea, #enc select, #enc button').forEach((el) => (el.disabled = closed));
}
function drawConsent() {
  const remote = modeSelect.value !== 'in_person';
  show($('#consent'), remote);
  if (!remote) return;
  const c = enc().consent;
  $('#consent-text').textContent = c
    ? t('consentOk', { how: c.method === 'verbal' ? t('viaVerbal', { name: c.recordedByName || '' }) : t('viaPhone'), time: clock(c.givenAt) })
    : t('consentNone');
  show($('#consent-verbal'), !c);
}
// The mode is saved as it is chosen: a switch to video must reach the patient's phone at once.
modeSelect.addEventListener('change', () => {
  drawConsent();
  api<EncounterAnswer>('PATCH', '/api/v1/encounters/' + enc().id, { version: enc().version, mode: modeSelect.value }).then(
    (saved) => {
      enc().version = saved.version;
      enc().mode = saved.mode;
      note('#enc-msg', t('savedAt', { time: clock(new Date().toISOString()) }));
    },
    (caught: unknown) => {
      const e = asApiError(caught);
      note('#enc-msg', e.status === 409 && e.code !== 'invalid_state' ? t('conflict') : issuesText(e), 'err');
    },
  );
});
$('#consent-verbal').addEventListener('click', () => {
  api('POST', '/api/v1/encounters/' + enc().id + '/consent').then(
    () => loadEncounter(enc().id),
    (e: unknown) => note('#enc-msg', asApiError(e).message, 'err'),
  );
});

function body() {
  const vitals: Vitals = {};
  let any = false;
  $$<HTMLInputElement>('[data-vital]').forEach((i) => {
    const k = i.getAttribute('data-vital') || '';
    const v = i.value.trim();
    if (v !== '') {
      // Not a number ("abc") goes as typed: the box refuses it in words, next to the field,
      // rather than the value vanishing as a cleared one.
      const n = Number(v.replace(',', '.'));
      vitals[k] = Number.isFinite(n) ? n : v;
      any = true;
    } else if (st.loadedVitals[k] !== undefined && st.loadedVitals[k] !== null) {
      vitals[k] = null;
      any = true;
    }
  });
  const b: Record<string, unknown> = { version: enc().version, mode: modeSelect.value, diagnoses: st.dx.map((d) => ({ code: d.code, kind: d.kind })) };
  $$<HTMLTextAreaElement>('[data-soap]').forEach((i) => (b[i.getAttribute('data-soap') || ''] = i.value));
  if (any) b.vitals = vitals;
  return b;
}
/** The box's refusals of vital signs, each next to its field; true if any was placed. */
function vitalErrors(e: ApiError | null): boolean {
  $$('[id^=err-v-]').forEach((el) => (el.textContent = ''));
  $$<HTMLInputElement>('[data-vital]').forEach((i) => i.removeAttribute('aria-invalid'));
  if (!e) return false;
  let any = false;
  for (const i of (e.details.issues as { path?: string; message: string }[] | undefined) || []) {
    const m = /^vitals\.(\w+)$/.exec(i.path || '');
    const el = m && document.getElementById('err-v-' + m[1]);
    if (!m || !el) continue;
    el.textContent = i.message;
    $<HTMLInputElement>('#v-' + m[1]).setAttribute('aria-invalid', 'true');
    any = true;
  }
  return any;
}
function save(): Promise<EncounterAnswer> {
  return api<EncounterAnswer>('PATCH', '/api/v1/encounters/' + enc().id, body()).then(
    (saved) => {
      vitalErrors(null);
      const e = enc();
      e.version = saved.version;
      e.mode = saved.mode;
      st.loadedVitals = (saved.vitals || {}) as Vitals;
      note('#enc-msg', t('savedAt', { time: clock(new Date().toISOString()) }));
      return saved;
    },
    (caught: unknown) => {
      const e: ApiError = asApiError(caught);
      note('#enc-msg', e.status === 409 && e.code !== 'invalid_state' ? t('conflict') : vitalErrors(e) ? e.message : issuesText(e), 'err');
      throw e;
    },
  );
}
$('#enc-save').addEventListener('click', () => {
  save().catch(() => {
    /* shown */
  });
});
$('#enc-close').addEventListener('click', () => {
  if (!confirm(t('confirmClose'))) return;
  save().then(
    () =>
      api<EncounterAnswer>('POST', '/api/v1/encounters/' + enc().id + '/close').then(
        (closed) => {
          note('#enc-msg', t('closed'));
          try {
            sessionStorage.removeItem('simpul.exam.enc');
          } catch {
            /* ignore */
          }
          fillEncounter(Object.assign(enc(), { status: closed.status || 'closed' }));
          loadQueue();
        },
        (e: unknown) => note('#enc-msg', errorOf(e), 'err'),
      ),
    () => {
      /* shown */
    },
  );
});

// ---- video calls: what the box kept of each (figures only) ----
const calls = { encounterId: null as string | null, count: 0, seq: 0 };
function loadCalls(id: string): Promise<number> {
  const n = ++calls.seq;
  return api<CallsAnswer>('GET', '/api/v1/encounters/' + encodeURIComponent(id) + '/calls').then(
    (r) => {
      if (n !== calls.seq || calls.encounterId !== id) return calls.count;
      const list = (r && r.calls) || [];
      calls.count = list.length;
      fill($('#calls-list'), callHistory({ t, clock }, list, document.documentElement.lang));
      msg($('#calls-msg'), '');
      show($('#calls'), list.length > 0);
      return list.length;
    },
    (e: unknown) => {
      if (n === calls.seq && calls.encounterId === id) {
        note('#calls-msg', asApiError(e).message, 'err');
        show($('#calls'), true);
      }
      return calls.count;
    },
  );
}
// The box saves a call's summary as it tells the pages that the call stopped: look until it is there.
document.addEventListener('simpul-call-stopped', () => {
  const id = calls.encounterId;
  const before = calls.count;
  let tries = 0;
  if (!id) return;
  const next = () => {
    window.setTimeout(
      () => {
        if (calls.encounterId !== id) return;
        void loadCalls(id).then((n) => {
          if (n <= before && ++tries < 5) next();
        });
      },
      700 * (tries + 1),
    );
  };
  next();
});

// ---- diagnoses ----
function drawDx() {
  fill(
    $('#dx'),
    st.dx.map((d, i) =>
      h(
        'span',
        { class: 'chip', 'data-testid': 'dx-' + d.code },
        h('b', null, d.code),
        ' ' + (d.name || '') + ' ',
        h('span', { class: 'pill ' + (d.kind === 'primary' ? 'st-serving' : '') }, t(d.kind)),
        d.kind === 'primary' ? null : h('button', { type: 'button', class: 'sec', 'data-dx-primary': i }, t('makePrimary')),
        h('button', { type: 'button', class: 'bad', 'data-dx-remove': i }, t('remove')),
      ),
    ),
  );
  const sel = $<HTMLSelectElement>('#ref-dx');
  const cur = sel.value;
  fill(
    sel,
    st.dx.map((d) => h('option', { value: d.code }, d.code + ' ' + (d.name || ''))),
  );
  if (cur) sel.value = cur;
}
function addDx(entry: { code: string; name: string }, wanted: Diagnosis['kind']) {
  let kind = wanted;
  st.dx = st.dx.filter((d) => d.code !== entry.code);
  if (kind === 'primary') st.dx.forEach((d) => (d.kind = 'secondary'));
  else if (!st.dx.length) kind = 'primary';
  st.dx.push({ code: entry.code, name: entry.name, kind });
  st.dx.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'primary' ? -1 : 1));
  drawDx();
}
$('#dx').addEventListener('click', (ev) => {
  const b = closest(ev, 'button');
  if (!b) return;
  if (b.hasAttribute('data-dx-remove')) {
    const gone = st.dx.splice(Number(b.getAttribute('data-dx-remove')), 1)[0];
    if (gone && gone.kind === 'primary' && st.dx.length) st.dx[0].kind = 'primary';
  } else if (b.hasAttribute('data-dx-primary')) {
    const i = Number(b.getAttribute('data-dx-primary'));
    st.dx.forEach((d, j) => (d.kind = j === i ? 'primary' : 'secondary'));
  }
  drawDx();
});

function typeahead<T>(sel: string, url: string, draw: (r: T | null) => void) {
  let timer: number | undefined;
  let seq = 0;
  const input = $<HTMLInputElement>(sel);
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    const q = input.value.trim();
    timer = window.setTimeout(() => {
      const n = ++seq;
      if (!q && url.indexOf('formulary') < 0) {
        draw(null);
        return;
      }
      api<T>('GET', url + encodeURIComponent(q)).then(
        (r) => {
          if (n === seq) draw(r);
        },
        () => {
          /* keep typing */
        },
      );
    }, 200);
  });
}
let icdFound: Icd10Answer['codes'] = [];
typeahead<Icd10Answer>('#icd-search', '/api/v1/icd10?limit=10&q=', (r) => {
  icdFound = (r && r.codes) || [];
  fill(
    $('#icd-results'),
    icdFound.map((c, i) =>
      h(
        'div',
        { class: 'res', 'data-testid': 'icd10-result' },
        h('div', null, h('b', null, c.code), ' ' + c.name, c.nameEn && document.documentElement.lang === 'en' ? [' ', h('span', { class: 'small muted' }, c.nameEn)] : null),
        h(
          'div',
          { class: 'row' },
          h('button', { type: 'button', 'data-icd': i, 'data-kind': 'primary', 'data-testid': 'icd10-add-primary' }, t('primary')),
          h('button', { type: 'button', class: 'sec', 'data-icd': i, 'data-kind': 'secondary', 'data-testid': 'icd10-add-secondary' }, t('secondary')),
        ),
      ),
    ),
  );
});
$('#icd-results').addEventListener('click', (ev) => {
  const b = closest(ev, '[data-icd]');
  if (!b) return;
  addDx(icdFound[Number(b.getAttribute('data-icd'))], b.getAttribute('data-kind') as Diagnosis['kind']);
  fill($('#icd-results'));
  $<HTMLInputElement>('#icd-search').value = '';
});

// ---- prescription ----
function drawRx(list: EncounterDetailAnswer['prescriptions']) {
  fill(
    $('#rx-list'),
    list.map((p) =>
      h(
        'div',
        { class: 'rx', 'data-testid': 'rx-issued' },
        h('span', { class: 'pill' }, t(`ps_${p.status}`)),
        ' ' + clock(p.issuedAt),
        h(
          'ul',
          null,
          (p.items || []).map((i) =>
            h(
              'li',
              null,
              i.name + ' ' + i.strength + ' — ' + i.signa + ' · ' + i.quantity + ' ' + (i.unit || '') + ' · ' + t('days', { n: i.days }),
              owedOf(i) ? [' ', h('span', { class: 'low' }, t('owed', { n: owedOf(i), unit: i.unit }))] : null,
            ),
          ),
        ),
      ),
    ),
  );
}
const owedOf = (i: { quantity: number; dispensedQuantity?: number | null }) =>
  i.dispensedQuantity === null || i.dispensedQuantity === undefined ? 0 : i.quantity - i.dispensedQuantity;
let drugFound: FormularyItemAnswer[] = [];
typeahead<FormularyAnswer>('#drug-search', '/api/v1/formulary?limit=10&q=', (r) => {
  drugFound = (r && r.items) || [];
  fill(
    $('#drug-results'),
    drugFound.map((d, i) =>
      h(
        'div',
        { class: 'res', 'data-testid': 'formulary-result' },
        h(
          'div',
          null,
          h('b', null, d.name),
          ' ' + d.strength + ' · ' + d.form + ' ',
          h('span', { class: 'small ' + (d.stock > 0 ? 'muted' : 'low') }, d.stock > 0 ? t('stock', { n: d.stock + ' ' + d.unit }) : t('outOfStock')),
        ),
        h('button', { type: 'button', class: 'sec', 'data-drug': i, 'data-testid': 'formulary-add' }, t('add')),
      ),
    ),
  );
});
$('#drug-results').addEventListener('click', (ev) => {
  const b = closest(ev, '[data-drug]');
  if (!b) return;
  const d = drugFound[Number(b.getAttribute('data-drug'))];
  if (!st.items.some((x) => x.formularyId === d.id))
    st.items.push({ formularyId: d.id, label: d.name + ' ' + d.strength, unit: d.unit, stock: d.stock, signa: '', quantity: '', days: '' });
  drawItems();
  fill($('#drug-results'));
  $<HTMLInputElement>('#drug-search').value = '';
});
function drawItems() {
  const field = (i: number, f: 'signa' | 'quantity' | 'days', value: string, extra: Record<string, string>) => h('input', { 'data-i': i, 'data-f': f, value, ...extra });
  fill(
    $('#rx-items'),
    st.items.map((x, i) =>
      h(
        'tr',
        { 'data-testid': 'rx-item' },
        h(
          'td',
          null,
          x.label,
          h('div', { class: 'small muted' }, t('stock', { n: x.stock + ' ' + x.unit })),
          h('div', { class: 'small low', 'data-over': i, 'data-testid': 'rx-over-stock', role: 'status' }, overStock(x)),
        ),
        h('td', null, field(i, 'signa', x.signa, { placeholder: '3 x 1', 'data-testid': 'rx-signa' })),
        h('td', null, field(i, 'quantity', x.quantity, { type: 'number', min: '1', 'data-testid': 'rx-quantity' })),
        h('td', null, field(i, 'days', x.days, { type: 'number', min: '1', 'data-testid': 'rx-days' })),
        h('td', null, h('button', { type: 'button', class: 'bad', 'data-rm': i, style: 'min-height:40px' }, t('remove'))),
      ),
    ),
  );
}
/** More than the pharmacy holds: said while prescribing, not first at the pharmacy counter. */
function overStock(x: Item): string {
  const n = Number(x.quantity);
  return Number.isFinite(n) && n > x.stock ? t('rxOverStock', { stock: x.stock, unit: x.unit }) : '';
}
$('#rx-items').addEventListener('input', (ev) => {
  const el = ev.target as HTMLInputElement;
  const i = el.getAttribute('data-i');
  if (i === null) return;
  const item = st.items[Number(i)];
  item[el.getAttribute('data-f') as 'signa' | 'quantity' | 'days'] = el.value;
  const warn = $('[data-over="' + i + '"]');
  if (warn) warn.textContent = overStock(item);
});
$('#rx-items').addEventListener('click', (ev) => {
  const b = closest(ev, '[data-rm]');
  if (b) {
    st.items.splice(Number(b.getAttribute('data-rm')), 1);
    drawItems();
  }
});
$('#rx-issue').addEventListener('click', () => {
  if (!st.items.length) {
    note('#rx-msg', t('rxEmpty'), 'err');
    return;
  }
  const noteInput = $<HTMLInputElement>('#rx-note');
  const b = {
    encounterId: enc().id,
    note: noteInput.value.trim(),
    items: st.items.map((x) => ({ formularyId: x.formularyId, signa: x.signa.trim(), quantity: Number(x.quantity), days: Number(x.days) })),
  };
  api('POST', '/api/v1/prescriptions', b).then(
    () => {
      st.items = [];
      drawItems();
      noteInput.value = '';
      note('#rx-msg', t('issuedRx'));
      void loadEncounter(enc().id);
    },
    (e: unknown) => note('#rx-msg', errorOf(e), 'err'),
  );
});

// ---- referral ----
function drawRefs(list: EncounterDetailAnswer['referrals']) {
  fill(
    $('#ref-list'),
    list.map((r) =>
      h(
        'div',
        { class: 'rx', 'data-testid': 'referral-issued' },
        h('b', null, r.hospitalName),
        ' · ' + r.specialty + ' · ' + r.diagnosisCode + ' ',
        h('span', { class: 'pill' }, t(`rs_${r.status}`)),
        r.emergency ? [' ', h('span', { class: 'pill st-no_show' }, t('emergency'))] : null,
        ' ',
        h(
          'a',
          { class: 'btn sec', style: 'min-height:36px', target: '_blank', href: '/staff/rujukan/' + encodeURIComponent(r.id) + '/cetak', 'data-testid': 'referral-print' },
          t('printLetter'),
        ),
      ),
    ),
  );
}
const hospitalSelect = $<HTMLSelectElement>('#ref-hospital');
function drawSpecialties() {
  const hospital = st.hospitals.find((x) => x.code === hospitalSelect.value);
  fill(
    $('#ref-specialty'),
    (hospital ? hospital.specialties : []).map((sp) => h('option', null, sp)),
  );
}
api<HospitalsAnswer>('GET', '/api/v1/hospitals').then(
  (r) => {
    st.hospitals = r.hospitals || [];
    // A production box before the centre's list arrives: say so instead of an empty choice.
    if (!st.hospitals.length) hospitalSelect.after(h('div', { class: 'msg err', role: 'alert', 'data-testid': 'referral-no-hospitals' }, t('noHospitals')));
    fill(
      hospitalSelect,
      h('option', { value: '' }, t('chooseHospital')),
      st.hospitals.map((x) => h('option', { value: x.code }, x.name + ' (' + x.code + ')')),
    );
    drawSpecialties();
  },
  () => {
    /* shown when the form is sent */
  },
);
hospitalSelect.addEventListener('change', drawSpecialties);
const refForm = $<HTMLFormElement>('#ref-form');
refForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const b: Record<string, unknown> = formJson(refForm);
  b.encounterId = enc().id;
  b.issue = true;
  b.emergency = !!b.emergency;
  clearFieldErrors(refForm);
  api('POST', '/api/v1/referrals', b).then(
    () => {
      note('#ref-msg', t('issuedRef'));
      $<HTMLTextAreaElement>('#ref-reason').value = '';
      void loadEncounter(enc().id);
    },
    (caught: unknown) => {
      const e = asApiError(caught);
      fieldErrors(refForm, e);
      note('#ref-msg', issuesText(e), 'err');
    },
  );
});

// ---- start ----
live(
  '/api/v1/queue/display/events',
  () => {
    window.clearTimeout(st.queueTimer);
    st.queueTimer = window.setTimeout(loadQueue, 300);
  },
  $('#conn'),
);
let savedPoli: string | null = null;
try {
  savedPoli = localStorage.getItem('simpul.exam.poli');
} catch {
  savedPoli = null;
}
selectPoli(polis.some((p) => p.code === savedPoli) ? (savedPoli as string) : polis[0].code);
try {
  const resume = (sessionStorage.getItem('simpul.exam.enc') || '').split('|');
  if (resume[0]) {
    st.label = resume[1] || '';
    void loadEncounter(resume[0]);
  }
} catch {
  /* ignore */
}
