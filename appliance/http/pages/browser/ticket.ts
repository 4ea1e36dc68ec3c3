// /t/:token: the patient's ticket, updated live; a call vibrates and chimes where allowed.
import type { ConsultationWord, TicketWord } from '../../../words/page-words.ts';
import type { PublicTicket } from '../../schemas/queue.ts';
import type { TicketConsentAnswer, TicketDocumentsAnswer } from '../../schemas/ticket.ts';
import { api, asApiError } from './api.ts';
import { Consultation } from './call.ts';
import { $, add, fill, h, show } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { live } from './live.ts';
import { rememberTicket } from './saved-tickets.ts';
import { chime, unlockAudio } from './sound.ts';
import { clock, day } from './time.ts';

const t = pageWords<TicketWord | ConsultationWord>();

const data = pageData<{ token: string; ticket: PublicTicket }>();
const token = data.token;
const base = '/api/v1/tickets/' + encodeURIComponent(token);
let last: PublicTicket | null = data.ticket;
let docsTimer: number | undefined;
let consentTimer: number | undefined;
let sound = false;

function setText(sel: string, v: string | number) {
  const el = $(sel);
  if (el) el.textContent = String(v);
}

function render(tk: PublicTicket) {
  setText('#label', tk.label);
  setText('#poli', tk.poliName);
  const st = $('#status');
  st.textContent = t(`st_${tk.status}`);
  st.className = 'pill st-' + tk.status;
  const hasPos = tk.position !== null && tk.position !== undefined;
  show($('#pos-box'), hasPos);
  if (tk.position !== null && tk.position !== undefined) {
    setText('#position', tk.position);
    setText('#ahead', tk.position <= 1 ? t('aheadNone') : t('ahead', { n: tk.position - 1 }));
  }
  const wait = tk.estimatedWaitMinutes;
  show($('#wait-box'), wait !== null && wait !== undefined);
  if (wait !== null && wait !== undefined) setText('#wait', wait < 1 ? t('minutesNone') : t('minutes', { n: wait }));
  const called = tk.status === 'called';
  show($('#called'), called);
  if (called) setText('#called-text', t('calledGo', { room: tk.room || '' }));
  const isNewCall = called && (!last || last.status !== 'called' || last.callCount !== tk.callCount || last.room !== tk.room);
  if (isNewCall) alertCalled();
  document.title = (called ? '🔔 ' : '') + tk.label + ' · ' + tk.poliName;
  if (last && last.status !== tk.status) loadDocs();
  // During the visit the doctor may switch it to video: the box tells the ticket's stream, and
  // the consent prompt must follow at once (not at the next two-minute refresh).
  else if (tk.status === 'serving' || tk.status === 'called') {
    window.clearTimeout(consentTimer);
    consentTimer = window.setTimeout(loadConsent, 200);
  }
  last = tk;
  remember(tk);
}

function alertCalled() {
  const box = $('#called');
  box.className = 'called';
  void box.offsetWidth; // restart the flash
  box.className = 'called flash';
  try {
    if (navigator.vibrate) navigator.vibrate([500, 200, 500, 200, 900]);
  } catch {
    /* not allowed */
  }
  if (sound) {
    chime();
    window.setTimeout(() => chime(), 1600);
  }
}

function expired() {
  show($('#expired'), true);
  show($('#called'), false);
  setText('#conn', '');
  if (stream) stream.stop();
  if (call) {
    call.close();
    call = null;
  }
}

const remember = (tk: PublicTicket) => rememberTicket({ label: tk.label, poliName: tk.poliName, link: location.pathname, expiresAt: tk.expiresAt });

// ---- documents: prescription, referral copy ----
type Prescription = TicketDocumentsAnswer['prescriptions'][number];
type Referral = TicketDocumentsAnswer['referrals'][number];

function prescriptionDoc(p: Prescription) {
  return h(
    'div',
    { class: 'doc', 'data-testid': 'doc-prescription' },
    h('b', null, t('prescription')),
    ' ',
    h('span', { class: 'pill st-' + (p.status === 'issued' ? 'called' : 'serving') }, t(`ps_${p.status}`)),
    h(
      'ul',
      null,
      (p.items || []).map((it) => {
        const name = [it.name, it.strength, it.form].filter(Boolean).join(' ');
        const qty = [it.quantity, it.unit].filter((x) => x !== undefined && x !== null).join(' ');
        return h('li', null, h('b', null, name), h('br'), (it.signa || '') + (qty ? ' · ' + qty : '') + (it.days ? ' · ' + t('days', { n: it.days }) : ''));
      }),
    ),
    p.note ? h('div', { class: 'small' }, p.note) : null,
  );
}

function referralDoc(r: Referral) {
  const href = r.letter && r.letter.indexOf('/t/') === 0 ? r.letter : '/t/' + encodeURIComponent(token) + '/rujukan/' + encodeURIComponent(r.id);
  return h(
    'div',
    { class: 'doc', 'data-testid': 'doc-referral' },
    h('b', null, t('referral')),
    r.status ? [' ', h('span', { class: 'pill' }, t(`rs_${r.status}`))] : null,
    r.emergency ? h('div', { class: 'msg err' }, h('b', null, t('emergency'))) : null,
    h('div', null, (r.hospitalName || '') + (r.specialty ? ' · ' + r.specialty : '')),
    r.diagnosisCode ? h('div', { class: 'small' }, r.diagnosisCode + (r.diagnosisName ? ' ' + r.diagnosisName : '')) : null,
    r.scheduledFor ? h('div', { class: 'small' }, t('scheduled', { d: r.scheduledFor })) : null,
    r.validUntil ? h('div', { class: 'small muted' }, t('validUntil', { d: day(r.validUntil) })) : null,
    h('p', null, h('a', { class: 'btn sec', 'data-testid': 'referral-link', href }, t('openLetter'))),
  );
}

function renderDocs(d: TicketDocumentsAnswer | null) {
  const docs = [...(d?.prescriptions || []).map(prescriptionDoc), ...(d?.referrals || []).map(referralDoc)];
  fill($('#docs'), docs.length ? docs : h('span', { class: 'muted small', 'data-testid': 'no-documents' }, t('noDocs')));
}

// ---- consent to a remote (audio-visual / audio-only) consultation, tapped on the patient's own phone ----
function renderConsent(c: TicketConsentAnswer) {
  const remote = !!(c && c.encounterOpen && (c.encounterMode === 'audio_visual' || c.encounterMode === 'audio_only'));
  show($('#konsultasi'), !!(remote || (c && c.consent)));
  if (!c) return;
  const body = $('#konsultasi-body');
  if (c.consent) {
    fill(
      body,
      h(
        'p',
        { class: 'msg ok', 'data-testid': 'consent-given' },
        t('consentGiven', { time: clock(c.consent.givenAt) }) + (c.consent.recordedByName ? ' (' + t('consentVerbal', { name: c.consent.recordedByName }) + ')' : ''),
      ),
      c.encounterOpen
        ? h(
            'button',
            {
              type: 'button',
              class: 'bad',
              id: 'consent-withdraw',
              'data-testid': 'consent-withdraw',
              onclick: (ev: Event) => consentCall('/withdraw', ev.currentTarget as HTMLButtonElement),
            },
            t('consentWithdraw'),
          )
        : null,
    );
  } else if (remote) {
    fill(
      body,
      h('p', null, t(c.encounterMode === 'audio_only' ? 'consentAskAudio' : 'consentAsk')),
      h('p', { class: 'small' }, t('consentWhat')),
      h(
        'button',
        { type: 'button', class: 'big', id: 'consent-give', 'data-testid': 'consent-give', onclick: (ev: Event) => consentCall('', ev.currentTarget as HTMLButtonElement) },
        t('consentYes'),
      ),
    );
  }
  callFor(remote && c.encounterOpen, c.encounterMode === 'audio_only');
}

// The call itself: the socket opens while a remote consultation is open (chat works at once); the
// box starts video and sound only with active consent, and stops them the moment it is withdrawn.
let call: Consultation | null = null;
function callFor(open: boolean, audioOnly: boolean) {
  const root = $('[data-call=patient]');
  if (open && !call && root && window.WebSocket) {
    call = new Consultation(root, { role: 'patient', audioOnly, socket: base + '/consultation/socket', onConsent: () => loadConsent() });
  } else if (!open && call) {
    call.close();
    call = null;
    if (root) {
      fill(root);
      root.hidden = true;
    }
  }
}
function consentCall(suffix: string, btn: HTMLButtonElement) {
  btn.disabled = true;
  api<TicketConsentAnswer>('POST', base + '/consent' + suffix).then(renderConsent, (e: unknown) => {
    btn.disabled = false;
    add($('#konsultasi-body'), h('p', { class: 'msg err' }, asApiError(e).message));
  });
}
function loadConsent() {
  api<TicketConsentAnswer>('GET', base + '/consent').then(renderConsent, () => {
    /* shown again on the next change */
  });
}

function loadDocs() {
  window.clearTimeout(docsTimer);
  loadConsent();
  api<TicketDocumentsAnswer>('GET', base + '/documents').then(renderDocs, (caught: unknown) => {
    const e = asApiError(caught);
    if (e.status === 410) expired();
    else if (e.status === 404)
      renderDocs(null); // nothing yet
    else fill($('#docs'), h('span', { class: 'muted small' }, t('docsError')));
  });
  docsTimer = window.setTimeout(loadDocs, 120000);
}

const soundButton = $<HTMLButtonElement>('#sound');
soundButton.addEventListener('click', () => {
  sound = unlockAudio();
  chime([784]);
  try {
    if (navigator.vibrate) navigator.vibrate(150);
  } catch {
    /* not allowed */
  }
  soundButton.textContent = '✓ ' + t('soundOn');
  soundButton.disabled = true;
});

show($('#conn'), true);
const stream = live<PublicTicket>(base + '/events', render, $('#conn'), () => {
  // The stream was refused: an expired or unknown ticket says so; anything else retries.
  api<PublicTicket>('GET', base).then(render, (e: unknown) => {
    const status = asApiError(e).status;
    if (status === 410 || status === 404) expired();
  });
});
if (last && last.expiresAt) {
  const ms = Date.parse(last.expiresAt) - Date.now();
  if (ms > 0 && ms < 86400000) window.setTimeout(expired, ms + 1000);
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') loadDocs();
});
if (last) remember(last);
loadDocs();
