/**
 * The saved quality of the open encounter's video calls (GET /api/v1/encounters/{id}/calls), on
 * the doctor's encounter screen: per call a level, two small charts (when each side was connected;
 * each direction's average bitrate and loss) and the raw figures folded away. Functions of their
 * arguments only (words and clock passed in), so a unit test runs them with a stand-in document.
 */
import type { CallsAnswer } from '../../schemas/consultation.ts';
import type { Party, QualityLevel } from '../../../relay/protocol.ts';
import { h, s, type Child } from './dom.ts';
import type { Vars } from './island.ts';
import type { CallQualityWord } from '../../../words/page-words.ts';

export type CallRecord = CallsAnswer['calls'][number];
type Leg = CallRecord['legs']['patient'];

export interface CallText {
  t: (key: CallQualityWord, vars?: Vars) => string;
  clock: (iso: string) => string;
}

const roles: Party[] = ['patient', 'doctor'];
const rank: Record<QualityLevel, number> = { good: 0, fair: 1, poor: 2 };

/** One side's level from the relay's own 2-second verdicts, so the saved level agrees with the dot the
 *  call screen showed: poor when a quarter of the samples were poor, fair when a quarter were at least fair. */
export function legLevel(leg: Leg | undefined): QualityLevel | null {
  const l = leg && leg.levels;
  const n = l ? (l.good || 0) + (l.fair || 0) + (l.poor || 0) : 0;
  if (!l || !n) return null;
  if ((l.poor || 0) / n >= 0.25) return 'poor';
  if (((l.poor || 0) + (l.fair || 0)) / n >= 0.25) return 'fair';
  return 'good';
}

/** A call is as good as its worse side: a clear doctor does not help if the patient's picture froze. */
export function callLevel(call: CallRecord): QualityLevel | null {
  let worst: QualityLevel | null = null;
  for (const role of roles) {
    const l = legLevel(call.legs && call.legs[role]);
    if (l && (worst === null || rank[l] > rank[worst])) worst = l;
  }
  return worst;
}

/** The relay's own loss thresholds (3 % fair, 10 % poor). */
const lossLevel = (pct: number): QualityLevel => (pct >= 10 ? 'poor' : pct >= 3 ? 'fair' : 'good');

function num(n: number, lang: string) {
  const str = String(Math.round(n * 10) / 10);
  return lang === 'en' ? str : str.replace('.', ',');
}
function duration(tx: CallText, seconds: number) {
  const total = Math.round(seconds || 0);
  const m = Math.floor(total / 60);
  const sec = total % 60;
  return m ? tx.t('cq_dur_ms', { m, s: (sec < 10 ? '0' : '') + sec }) : tx.t('cq_dur_s', { s: sec });
}
function minutes(seconds: number) {
  const total = Math.round(seconds);
  const sec = total % 60;
  return Math.floor(total / 60) + ':' + (sec < 10 ? '0' : '') + sec;
}

export interface Span {
  from: number;
  to: number;
  audioOnly: boolean;
}

/** When one side had media, from events like "patient:connected", "patient:audio-only",
 *  "patient:video" and "patient:closed:hangup" (seconds from the call's start). */
export function legSpans(call: CallRecord, role: Party): Span[] {
  const spans: Span[] = [];
  let open: { from: number; audioOnly: boolean } | null = null;
  let audioOnly = false;
  const cut = (at: number) => {
    if (open && at > open.from) spans.push({ from: open.from, to: at, audioOnly: open.audioOnly });
  };
  for (const e of call.events || []) {
    const p = String(e.what).split(':');
    if (p[0] !== role) continue;
    if (p[1] === 'connected') {
      cut(e.at);
      open = { from: e.at, audioOnly };
    } else if (p[1] === 'audio-only' || p[1] === 'video') {
      audioOnly = p[1] === 'audio-only';
      if (open && open.audioOnly !== audioOnly) {
        cut(e.at);
        open = { from: e.at, audioOnly };
      }
    } else if (p[1] === 'closed') {
      cut(e.at);
      open = null;
      audioOnly = false; // a new connection starts with video unless it says otherwise
    }
  }
  cut(call.seconds || 0);
  return spans;
}

/** Two small charts in one SVG: when each side was connected (video or sound only), and each
 *  direction's average bitrate against the call's cap, with its packet loss beside it. */
function chart(tx: CallText, call: CallRecord, lang: string): SVGSVGElement {
  const t = tx.t;
  const W = 560;
  const L = 104;
  const R = 552;
  const barR = 380;
  const out: Child[] = [];
  const secs = Math.max(call.seconds || 0, 1);
  const x = (at: number) => L + ((R - L) * Math.min(Math.max(at, 0), secs)) / secs;
  out.push(
    s('text', { x: 0, y: 12, class: 'mut' }, t('cq_connected')),
    s('text', { x: L, y: 12, class: 'mut' }, '0:00'),
    s('text', { x: R, y: 12, class: 'mut', 'text-anchor': 'end' }, minutes(secs)),
  );
  let y = 18;
  for (const role of roles) {
    out.push(s('text', { x: 0, y: y + 11 }, t(`cq_${role}`)), s('rect', { class: 'track', x: L, y: y + 1, width: R - L, height: 12, rx: 2 }));
    for (const sp of legSpans(call, role)) {
      const w = Math.max(x(sp.to) - x(sp.from), 1);
      out.push(
        s(
          'rect',
          { class: sp.audioOnly ? 'aud' : 'vid', x: x(sp.from).toFixed(1), y: y + 1, width: w.toFixed(1), height: 12, rx: 2 },
          s('title', null, t(`cq_${role}`) + ' · ' + t(sp.audioOnly ? 'cq_audioOnly' : 'cq_video') + ' · ' + minutes(sp.from) + '–' + minutes(sp.to)),
        ),
      );
    }
    y += 20;
  }

  const legs = call.legs;
  const cap = call.bitrateCapKbps || 0;
  let max = cap;
  for (const role of roles) {
    const l = legs[role];
    max = Math.max(max, (l && l.upKbpsAvg) || 0, (l && l.downKbpsAvg) || 0);
  }
  max = max || 1;
  const bx = (kbps: number) => L + ((barR - L) * kbps) / max;
  y += 10;
  const top = y;
  for (const role of roles) {
    const l = legs[role];
    const dirs: ['up' | 'down', number | null | undefined, number | null | undefined, number | null | undefined][] = [
      ['up', l && l.upKbpsAvg, l && l.upLossPctAvg, l && l.upLossPctMax],
      ['down', l && l.downKbpsAvg, l && l.downLossPctAvg, l && l.downLossPctMax],
    ];
    for (const [dir, kbps, loss, maxLoss] of dirs) {
      const lossMax = maxLoss || 0;
      out.push(s('text', { x: 0, y: y + 12 }, t(`cq_${role}`) + ' ' + t(`cq_${dir}`)));
      out.push(s('rect', { class: 'track', x: L, y: y + 2, width: barR - L, height: 12, rx: 2 }));
      if (kbps !== null && kbps !== undefined && kbps > 0) out.push(s('rect', { class: 'bar', x: L, y: y + 2, width: Math.max(bx(kbps) - L, 1).toFixed(1), height: 12, rx: 2 }));
      const lossText =
        loss === null || loss === undefined
          ? ''
          : t('cq_loss', { n: num(loss, lang) }) + (lossMax >= 3 && lossMax > loss ? ' (' + t('cq_lossMax', { n: num(lossMax, lang) }) + ')' : '');
      out.push(
        s(
          'text',
          { x: barR + 6, y: y + 12 },
          kbps !== null && kbps !== undefined ? num(kbps, lang) + ' kbit/s' : '—',
          lossText && loss !== null && loss !== undefined ? [' ', s('tspan', { class: lossLevel(loss) }, '· ' + lossText)] : null,
        ),
      );
      y += 20;
    }
  }
  if (cap) {
    out.push(
      s('line', { class: 'cap', x1: bx(cap).toFixed(1), y1: top - 2, x2: bx(cap).toFixed(1), y2: y }),
      s('text', { x: bx(cap).toFixed(1), y: y + 12, class: 'mut', 'text-anchor': 'end' }, t('cq_cap', { n: cap })),
    );
    y += 16;
  }
  return s('svg', { viewBox: '0 0 ' + W + ' ' + (y + 2), role: 'img', 'aria-label': t('cq_chart'), 'data-testid': 'call-record-chart' }, out);
}

/** The raw figures, for a technician or a second look; folded away by default. */
function figures(tx: CallText, call: CallRecord, lang: string): HTMLElement {
  const t = tx.t;
  const v = (n: number | null | undefined) => (n === null || n === undefined ? '—' : num(n, lang));
  const rows: [CallQualityWord, (l: Leg) => string][] = [
    ['cq_f_upKbps', (l) => v(l.upKbpsAvg)],
    ['cq_f_downKbps', (l) => v(l.downKbpsAvg)],
    ['cq_f_upLoss', (l) => v(l.upLossPctAvg) + ' / ' + v(l.upLossPctMax)],
    ['cq_f_downLoss', (l) => v(l.downLossPctAvg) + ' / ' + v(l.downLossPctMax)],
    ['cq_f_jitter', (l) => v(l.jitterMsAvg)],
    // Without a round trip measured the relay's maximum stays at its starting 0: show neither.
    ['cq_f_rtt', (l) => (l.rttMsAvg == null ? '—' : v(l.rttMsAvg) + ' / ' + v(l.rttMsMax))],
    [
      'cq_f_samples',
      (l) => {
        const lv = l.levels || { good: 0, fair: 0, poor: 0 };
        return v(l.samples) + ' (' + v(lv.good || 0) + ' / ' + v(lv.fair || 0) + ' / ' + v(lv.poor || 0) + ')';
      },
    ],
    ['cq_f_packets', (l) => v(l.packetsIn) + ' / ' + v(l.packetsOut)],
    ['cq_f_frames', (l) => v(l.framesIn) + ' / ' + v(l.framesOut)],
    ['cq_f_decoded', (l) => v(l.clientFramesDecoded)],
    ['cq_f_audio', (l) => v(l.clientAudioPackets)],
  ];
  const keyframes = call.keyframeRequests || {};
  const events = (call.events || []).map((e) => {
    const p = String(e.what).split(':');
    const what = p[1] === 'closed' ? t('cq_ev_closed', { why: t(('cq_end_' + p[2]) as CallQualityWord) }) : t(('cq_ev_' + p[1]) as CallQualityWord);
    return h('li', null, minutes(e.at) + ' ' + t(('cq_' + p[0]) as CallQualityWord) + ': ' + what);
  });
  const emptyLeg = {} as Leg;
  return h(
    'details',
    { 'data-testid': 'call-record-figures' },
    h('summary', null, t('cq_figures')),
    h(
      'div',
      { class: 'tbl-wrap' },
      h(
        'table',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th'),
            roles.map((r) => h('th', null, t(`cq_${r}`))),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map(([key, cell]) =>
            h(
              'tr',
              null,
              h('td', null, t(key)),
              roles.map((r) => h('td', null, cell(call.legs[r] || emptyLeg))),
            ),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'small' },
      t('cq_cap', { n: call.bitrateCapKbps }) +
        ' · ' +
        t('cq_keyframes') +
        ': ' +
        (Object.keys(keyframes).length
          ? Object.keys(keyframes)
              .map((k) => k + ' ' + keyframes[k])
              .join(', ')
          : '0'),
    ),
    events.length ? [h('p', { class: 'small', style: 'margin-bottom:0' }, t('cq_events') + ':'), h('ul', { class: 'small' }, events)] : null,
  );
}

/** One call: when and how long, how it ended, its level, the charts, the figures. */
export function callRecord(tx: CallText, call: CallRecord, lang: string): HTMLElement {
  const t = tx.t;
  const level = callLevel(call) || 'none';
  return h(
    'div',
    { class: 'cq', 'data-testid': 'call-record', 'data-level': level, 'data-end': call.endReason },
    h(
      'div',
      { class: 'cq-head' },
      h('b', null, tx.clock(call.startedAt) + '–' + tx.clock(call.endedAt)),
      h('span', null, duration(tx, call.seconds)),
      h('span', null, t('cq_quality') + ' ', h('span', { class: 'pill lv-' + level, 'data-testid': 'call-record-level' }, t(`cq_${level}`))),
    ),
    h('div', { class: 'small', 'data-testid': 'call-record-end' }, t('cq_ended', { why: t(`cq_end_${call.endReason}`) })),
    chart(tx, call, lang),
    h('div', { class: 'small muted' }, h('span', { class: 'key vid' }), t('cq_video') + ' ', h('span', { class: 'key aud' }), t('cq_audioOnly')),
    figures(tx, call, lang),
  );
}

/** All calls, newest first: the one that just ended is the one the doctor looks for. */
export function callHistory(tx: CallText, calls: CallRecord[], lang: string): HTMLElement[] {
  return calls
    .slice()
    .reverse()
    .map((c) => callRecord(tx, c, lang));
}
