// /staff/antrean: the desk and nurse board. Live via the queue's event stream, polling as a fallback.
import type { AntreanWord, StaffWord, TriageWord } from '../../../words/page-words.ts';
import type { TriageAnswer } from '../../schemas/encounters.ts';
import type { PatientAnswer, PatientsAnswer } from '../../schemas/patients.ts';
import type { CalledAnswer, DeskAnswer, PolisAnswer, QueueListAnswer, TicketActionAnswer } from '../../schemas/queue.ts';
import { api, asApiError } from './api.ts';
import { $, $$, closest, fill, h, msg, show, type MsgKind } from './dom.ts';
import { hasWord, pageData, pageWords } from './island.ts';
import { live } from './live.ts';
import { clearFieldErrors, fieldErrors, formJson, staffPage } from './staff.ts';
import { clock } from './time.ts';
import { whoBlock } from './who.ts';
import { focusField, press, shortcutKeys } from './shortcut-keys.ts';

const t = pageWords<AntreanWord | StaffWord | TriageWord>();

staffPage();
type Poli = PolisAnswer['polis'][number];
type Row = QueueListAnswer['tickets'][number];
type Action = 'call' | 'recall' | 'skip' | 'noShow' | 'finish' | 'transfer' | 'attach' | 'vitals';
type Pick = { kind: 'walkin' } | { kind: 'attach'; id: string; label: string };

const data = pageData<{ polis?: Poli[]; canCall?: boolean; canDesk?: boolean }>();
const PAGE = 20;
const polis = data.polis || [];
const state = {
  poli: '',
  page: 0,
  tickets: [] as Row[],
  showAll: false,
  pick: null as Pick | null,
  walkinPatient: null as PatientAnswer | null,
  names: {} as Record<string, string>,
};
try {
  state.names = JSON.parse(sessionStorage.getItem('simpul.names') || '{}') as Record<string, string>;
} catch {
  state.names = {};
}

const poliOf = (code: string) => polis.find((p) => p.code === code) || polis[0];
const boardMsg = (text: string, kind: MsgKind = 'ok') => msg($('#board-msg'), text, kind);
const roomSelect = $<HTMLSelectElement>('#room');

function selectPoli(code: string) {
  state.poli = code;
  state.page = 0;
  try {
    localStorage.setItem('simpul.poli', code);
  } catch {
    /* ignore */
  }
  $$('#tabs [data-poli]').forEach((b) => b.setAttribute('aria-selected', b.getAttribute('data-poli') === code ? 'true' : 'false'));
  if (roomSelect) {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem('simpul.room.' + code);
    } catch {
      saved = null;
    }
    fill(
      roomSelect,
      poliOf(code).rooms.map((r) => h('option', { selected: r === saved }, r)),
    );
  }
  const wp = $<HTMLSelectElement>('#walkin-poli');
  if (wp) wp.value = code;
  void load();
}

let loading: Promise<void> | null = null;
let again = false;
function load(): Promise<void> {
  if (loading) {
    again = true;
    return loading;
  }
  const code = state.poli;
  loading = api<QueueListAnswer>('GET', '/api/v1/queue/' + encodeURIComponent(code))
    .then(
      (r) => {
        if (code === state.poli) {
          state.tickets = r.tickets || [];
          draw();
        }
      },
      (e: unknown) => boardMsg(asApiError(e).message, 'err'),
    )
    .then(() => {
      loading = null;
      if (again) {
        again = false;
        void load();
      }
    });
  return loading;
}

const open: Record<string, boolean> = { waiting: true, called: true, serving: true, skipped: true };
function actionsFor(tk: Row): Action[] {
  if (!data.canCall) return [];
  const triage: Action[] = tk.patientId && tk.status !== 'done' && tk.status !== 'no_show' ? ['vitals'] : [];
  return baseActions(tk).concat(triage);
}
function baseActions(tk: Row): Action[] {
  switch (tk.status) {
    case 'waiting':
      return ['call', 'skip', 'noShow', 'transfer', 'attach'];
    case 'called':
      return ['recall', 'finish', 'skip', 'noShow', 'transfer', 'attach'];
    case 'serving':
      return ['finish', 'transfer', 'attach'];
    case 'skipped':
      return ['call', 'noShow', 'transfer', 'attach'];
    default:
      return [];
  }
}
const testids: Record<Action, string> = {
  call: 'act-call',
  recall: 'act-recall',
  skip: 'act-skip',
  noShow: 'act-no-show',
  finish: 'act-finish',
  transfer: 'act-transfer',
  attach: 'act-attach',
  vitals: 'act-vitals',
};
const actionClass = (a: Action) => (a === 'noShow' ? 'bad' : a === 'call' || a === 'recall' || a === 'finish' ? '' : 'sec');

function ticketRow(x: Row) {
  const who = x.patient ? whoBlock(x.patient) : x.patientId ? state.names[x.patientId] || '✓ ' + t('attached') : h('span', { class: 'muted' }, t('anon'));
  return h(
    'tr',
    { 'data-testid': 'ticket-row-' + x.label, 'data-id': x.id, 'data-label': x.label, 'data-status': x.status },
    h('td', { class: 'lbl' }, x.label),
    h(
      'td',
      null,
      h('span', { class: 'pill st-' + x.status, 'data-testid': 'row-status' }, t(`st_${x.status}`)),
      x.room ? h('div', { class: 'small' }, x.room + (x.callCount > 1 ? ' ×' + x.callCount : '')) : null,
    ),
    h('td', null, who),
    h('td', { class: 'small' }, clock(x.takenAt) + ' · ' + t(x.source)),
    h(
      'td',
      null,
      h(
        'div',
        { class: 'acts' },
        actionsFor(x).map((a) => h('button', { type: 'button', class: actionClass(a), 'data-act': a, 'data-testid': testids[a] }, t(a))),
      ),
      h('div', { class: 'xfer' }),
    ),
  );
}

function draw() {
  const all = state.tickets;
  const n = { waiting: 0, called: 0, done: 0 };
  for (const x of all) {
    if (x.status === 'waiting') n.waiting++;
    else if (x.status === 'called' || x.status === 'serving') n.called++;
    else if (x.status === 'done') n.done++;
  }
  fill(
    $('#counts'),
    h('span', { 'data-testid': 'count-waiting' }, t('waitingN', { n: n.waiting })),
    h('span', { 'data-testid': 'count-called' }, t('calledN', { n: n.called })),
    h('span', { 'data-testid': 'count-done' }, t('doneN', { n: n.done })),
  );
  const list = state.showAll ? all : all.filter((x) => open[x.status]);
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  if (state.page >= pages) state.page = pages - 1;
  const rows = list.slice(state.page * PAGE, state.page * PAGE + PAGE);
  fill($('#tickets'), rows.length ? rows.map(ticketRow) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, t('none'))));
  $('#pageno').textContent = t('page', { n: state.page + 1 + '/' + pages });
  $<HTMLButtonElement>('#prev').disabled = state.page === 0;
  $<HTMLButtonElement>('#next').disabled = state.page >= pages - 1;
}

function act(row: HTMLElement, a: Action) {
  const id = row.getAttribute('data-id') || '';
  const label = row.getAttribute('data-label') || '';
  const base = '/api/v1/queue/tickets/' + encodeURIComponent(id) + '/';
  const done = (r: TicketActionAnswer) => {
    boardMsg(t('done', { label: (r && r.ticket && r.ticket.label) || label, action: t(a) }));
    void load();
  };
  const fail = (e: unknown) => {
    boardMsg(label + ': ' + asApiError(e).message, 'err');
    void load();
  };
  const post = (what: string) => api<TicketActionAnswer>('POST', base + what).then(done, fail);
  if (a === 'call') {
    api('POST', base + 'call', { room: roomSelect.value }).then(() => {
      boardMsg(t('calledTo', { label, room: roomSelect.value }));
      void load();
    }, fail);
  } else if (a === 'recall') void post('recall');
  else if (a === 'skip') void post('skip');
  else if (a === 'finish') void post('finish');
  else if (a === 'noShow') {
    if (confirm(t('confirmNoShow', { label }))) void post('no-show');
  } else if (a === 'transfer') {
    fill(
      $('.xfer', row),
      h(
        'div',
        { class: 'row', style: 'margin-top:6px' },
        h('span', { class: 'small' }, t('transferTo', { label })),
        polis.filter((p) => p.code !== state.poli).map((p) => h('button', { type: 'button', class: 'sec', 'data-xfer': p.code, 'data-testid': 'transfer-to-' + p.code }, p.name)),
        h('button', { type: 'button', class: 'sec', 'data-xfer': '' }, t('cancel')),
      ),
    );
  } else if (a === 'attach') startPick({ kind: 'attach', id, label });
  else if (a === 'vitals') openTriage(id, label);
}

// ---- triage: the vitals the nurse takes while the patient waits ----
const triageForm = $<HTMLFormElement>('#triage-form');
let triageTicket = '';
let triageLabel = '';
function openTriage(id: string, label: string) {
  if (!triageForm) return;
  triageTicket = id;
  triageLabel = label;
  $('#triage-title').textContent = t('triageFor', { label });
  clearFieldErrors(triageForm);
  msg($('#triage-msg'), '');
  $$<HTMLInputElement>('input', triageForm).forEach((i) => (i.value = ''));
  show($('#triage'), true);
  api<TriageAnswer>('GET', '/api/v1/queue/tickets/' + encodeURIComponent(id) + '/vitals').then(
    (r) => {
      if (triageTicket !== id) return;
      $$<HTMLInputElement>('input', triageForm).forEach((i) => {
        const v = r.vitals[i.name as keyof TriageAnswer['vitals']];
        if (v !== undefined && i.value === '') i.value = String(v);
      });
    },
    () => {
      /* nothing recorded yet */
    },
  );
  const first = $<HTMLInputElement>('input', triageForm);
  first.focus();
  if (first.scrollIntoView) first.scrollIntoView({ block: 'center' });
}
if (triageForm) {
  triageForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const vitals: Record<string, number | string> = {};
    $$<HTMLInputElement>('input', triageForm).forEach((i) => {
      const v = i.value.trim();
      if (v === '') return;
      // Not a number goes as typed: the box refuses it in words, next to the field.
      const n = Number(v.replace(',', '.'));
      vitals[i.name] = Number.isFinite(n) ? n : v;
    });
    clearFieldErrors(triageForm);
    const label = triageLabel;
    api<TriageAnswer>('PUT', '/api/v1/queue/tickets/' + encodeURIComponent(triageTicket) + '/vitals', { vitals }).then(
      () => msg($('#triage-msg'), t('triageSaved', { label }), 'ok'),
      (caught: unknown) => {
        const e = asApiError(caught);
        for (const i of (e.details.issues as { path?: string; message: string }[] | undefined) || []) {
          const el = $('.field-err[data-for="' + String(i.path || '').replace(/^vitals\./, '') + '"]', triageForm);
          if (el) el.textContent = i.message;
        }
        msg($('#triage-msg'), e.message, 'err');
      },
    );
  });
  $('#triage-cancel').addEventListener('click', () => show($('#triage'), false));
}

$('#tickets').addEventListener('click', (ev) => {
  const b = closest(ev, 'button');
  if (!b) return;
  const row = b.closest('tr') as HTMLElement;
  if (b.hasAttribute('data-xfer')) {
    const to = b.getAttribute('data-xfer');
    if (!to) {
      fill($('.xfer', row));
      return;
    }
    api<TicketActionAnswer>('POST', '/api/v1/queue/tickets/' + encodeURIComponent(row.getAttribute('data-id') || '') + '/transfer', { poli: to }).then(
      (r) => {
        boardMsg(t('done', { label: row.getAttribute('data-label') + ' → ' + r.ticket.label, action: t('transfer') }));
        void load();
      },
      (e: unknown) => boardMsg(asApiError(e).message, 'err'),
    );
    return;
  }
  act(row, b.getAttribute('data-act') as Action);
});

$$('#tabs [data-poli]').forEach((b) => b.addEventListener('click', () => selectPoli(b.getAttribute('data-poli') || '')));
$('#prev').addEventListener('click', () => {
  state.page--;
  draw();
});
$('#next').addEventListener('click', () => {
  state.page++;
  draw();
});
const showAll = $<HTMLInputElement>('#show-all');
showAll.addEventListener('change', () => {
  state.showAll = showAll.checked;
  state.page = 0;
  draw();
});

if (roomSelect) {
  roomSelect.addEventListener('change', () => {
    try {
      localStorage.setItem('simpul.room.' + state.poli, roomSelect.value);
    } catch {
      /* ignore */
    }
  });
}
const callNext = $<HTMLButtonElement>('#call-next');
if (callNext) {
  let calling = false;
  callNext.addEventListener('click', () => {
    // Busy without `disabled`: a disabled button drops the focus to the top of the page.
    if (calling) return;
    calling = true;
    callNext.setAttribute('aria-busy', 'true');
    const r = roomSelect.value;
    api<CalledAnswer>('POST', '/api/v1/queue/' + encodeURIComponent(state.poli) + '/call-next', { room: r })
      .then(
        (res) => {
          if (!res.ticket) {
            boardMsg(t('nobody'), 'info');
            return load();
          }
          const label = res.ticket.label;
          boardMsg(t('calledTo', { label, room: r }));
          // The keyboard stays in the list: on the called number's row, its actions one Tab away.
          return load().then(() => {
            const row = $<HTMLElement>('#tickets tr[data-label="' + label + '"]');
            if (row) {
              row.tabIndex = -1;
              row.focus();
            }
          });
        },
        (e: unknown) => boardMsg(asApiError(e).message, 'err'),
      )
      .then(() => {
        calling = false;
        callNext.removeAttribute('aria-busy');
      });
  });
}

// N: call the next patient; /: to the patient search (shortcut-keys.ts; shown in the page's "Pintasan" line).
shortcutKeys({ n: () => press('#call-next'), '/': () => focusField('#patient-search') });

// ---- patients: search as you type, register, choose for a walk-in or to attach to a ticket ----
function startPick(mode: Pick) {
  state.pick = mode;
  show($('#pick-mode'), mode.kind === 'attach');
  $('#pick-mode-text').textContent = mode.kind === 'attach' ? t('pickFor', { label: mode.label }) : '';
  const s = $('#patient-search');
  if (s) {
    s.focus();
    if (s.scrollIntoView) s.scrollIntoView({ block: 'center' });
  }
}
const cancel = $('#pick-cancel');
if (cancel) cancel.addEventListener('click', () => startPick({ kind: 'walkin' }));

const describe = (p: PatientAnswer) => [
  p.fullName + ' ',
  h('span', { class: 'small muted' }, (p.nik || '') + (p.jknNumber ? ' · JKN ' + p.jknNumber : '') + ' · ' + t('born') + ' ' + p.birthDate),
];
function choose(p: PatientAnswer) {
  state.names[p.id] = p.fullName;
  try {
    sessionStorage.setItem('simpul.names', JSON.stringify(state.names));
  } catch {
    /* ignore */
  }
  const mode = state.pick || { kind: 'walkin' };
  if (mode.kind === 'attach') {
    api('POST', '/api/v1/queue/tickets/' + encodeURIComponent(mode.id) + '/attach', { patientId: p.id }).then(
      () => {
        boardMsg(t('done', { label: mode.label, action: t('attach') + ': ' + p.fullName }));
        startPick({ kind: 'walkin' });
        void load();
      },
      (e: unknown) => boardMsg(asApiError(e).message, 'err'),
    );
  } else if (data.canDesk) {
    state.walkinPatient = p;
    drawWalkinPatient();
  }
}
function drawWalkinPatient() {
  const el = $('#walkin-patient');
  if (!el) return;
  const p = state.walkinPatient;
  const clear = () => {
    state.walkinPatient = null;
    drawWalkinPatient();
  };
  fill(
    el,
    p
      ? [t('selected', { name: p.fullName }) + ' ', h('button', { type: 'button', class: 'sec', id: 'walkin-clear', style: 'min-height:36px', onclick: clear }, t('clear'))]
      : h('span', { class: 'muted' }, t('pickWalkin')),
  );
}

let found: Record<string, PatientAnswer> = {};
function drawResults(list: PatientAnswer[]) {
  found = {};
  list.forEach((p) => (found[p.id] = p));
  fill(
    $('#patient-results'),
    list.length
      ? list.map((p) =>
          h(
            'div',
            { class: 'res', 'data-testid': 'patient-result' },
            h('div', null, describe(p)),
            h('button', { type: 'button', class: 'sec', 'data-pick': p.id, 'data-testid': 'patient-choose' }, t('choose')),
          ),
        )
      : h('p', { class: 'muted small', 'data-testid': 'patient-none' }, t('noResults')),
  );
}
const search = $<HTMLInputElement>('#patient-search');
let searchTimer: number | undefined;
let searchSeq = 0;
if (search) {
  search.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    const q = search.value.trim();
    if (!q) {
      fill($('#patient-results'));
      return;
    }
    searchTimer = window.setTimeout(() => {
      const seq = ++searchSeq;
      api<PatientsAnswer>('GET', '/api/v1/patients?limit=10&q=' + encodeURIComponent(q)).then(
        (r) => {
          if (seq === searchSeq) drawResults(r.patients || []);
        },
        (e: unknown) => {
          if (seq === searchSeq) fill($('#patient-results'), h('p', { class: 'msg err' }, asApiError(e).message));
        },
      );
    }, 250);
  });
  $('#patient-results').addEventListener('click', (ev) => {
    const b = closest(ev, '[data-pick]');
    const p = b && found[b.getAttribute('data-pick') || ''];
    if (p) choose(p);
  });
}

const reg = $<HTMLFormElement>('#register-form');
if (reg) {
  reg.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = formJson(reg);
    const err = $('#register-error');
    const local: [string, string][] = [];
    const fieldErr = (name: string) => $('.field-err[data-for="' + name + '"]', reg);
    clearFieldErrors(reg);
    msg(err, '');
    if (body.nik && !/^\d{16}$/.test(String(body.nik))) local.push(['nik', t('nikBad')]);
    if (body.jknNumber && !/^\d{13}$/.test(String(body.jknNumber))) local.push(['jknNumber', t('jknBad')]);
    if (!body.nik && !body.jknNumber) local.push(['nik', t('idNeeded')]);
    if (local.length) {
      local.forEach(([name, text]) => (fieldErr(name).textContent = text));
      return;
    }
    api<PatientAnswer>('POST', '/api/v1/patients', body).then(
      (p) => {
        msg(err, t('registered', { name: p.fullName }), 'ok');
        reg.reset();
        drawResults([p]);
        choose(p);
      },
      (caught: unknown) => {
        const e = asApiError(caught);
        fieldErrors(reg, e);
        const d = e.details;
        if (d.field === 'nik' && d.problem && hasWord('nik_' + String(d.problem))) fieldErr('nik').textContent = t(('nik_' + String(d.problem)) as AntreanWord);
        if (d.field === 'birthDate' && d.problem === 'future') fieldErr('birthDate').textContent = t('birth_future');
        msg(err, e.message);
        if (e.code === 'conflict' && d.patientId) {
          const useExisting = () =>
            api<PatientAnswer>('GET', '/api/v1/patients/' + encodeURIComponent(String(d.patientId))).then(
              (existing) => {
                drawResults([existing]);
                choose(existing);
              },
              (e2: unknown) => msg(err, asApiError(e2).message),
            );
          fill(err, t('exists') + ' ', h('button', { type: 'button', class: 'sec', id: 'use-existing', onclick: useExisting }, t('useExisting')));
        }
      },
    );
  });
}

const walkin = $<HTMLButtonElement>('#walkin-submit');
if (walkin) {
  walkin.addEventListener('click', () => {
    walkin.disabled = true;
    const body: { poli: string; patientId?: string } = { poli: $<HTMLSelectElement>('#walkin-poli').value };
    if (state.walkinPatient) body.patientId = state.walkinPatient.id;
    api<DeskAnswer>('POST', '/api/v1/queue/desk', body)
      .then(
        (r) => {
          $('#walkin-label').textContent = r.label;
          $<HTMLImageElement>('#walkin-qr').src = '/staff/qr/' + encodeURIComponent(r.token);
          const a = $<HTMLAnchorElement>('#walkin-link');
          a.href = r.link;
          a.textContent = location.origin + r.link;
          $<HTMLAnchorElement>('#walkin-print').href = '/staff/karcis/' + encodeURIComponent(r.token);
          show($('#walkin-result'), true);
          boardMsg(t('walkinDone', { label: r.label }));
          state.walkinPatient = null;
          drawWalkinPatient();
          if (body.poli === state.poli) void load();
        },
        (e: unknown) => boardMsg(asApiError(e).message, 'err'),
      )
      .then(() => {
        walkin.disabled = false;
      });
  });
}

// ---- live ----
let pending: number | undefined;
function soon() {
  window.clearTimeout(pending);
  pending = window.setTimeout(load, 250);
}
let connected = false;
live(
  '/api/v1/queue/display/events',
  () => {
    connected = true;
    soon();
  },
  $('#conn'),
  () => {
    connected = false;
  },
);
window.setInterval(() => {
  if (!connected || document.visibilityState === 'visible') void load();
}, 15000);

let savedPoli: string | null = null;
try {
  savedPoli = localStorage.getItem('simpul.poli');
} catch {
  savedPoli = null;
}
if (/^#[a-z]/.test(location.hash)) savedPoli = location.hash.slice(1);
selectPoli(polis.some((p) => p.code === savedPoli) ? (savedPoli as string) : polis[0] && polis[0].code);
drawWalkinPatient();
