// The patient's history in the visit (as Simple.org shows a hypertension patient's): the nurse's
// triage vitals, allergies, the blood pressure and weight trend (uPlot, bundled and served by the
// box), past visits with diagnoses and medicines, referrals still open and hospitals' answers.
import uPlot from 'uplot';
import type { HistoryWord } from '../../../words/page-words.ts';
import type { PatientHistoryAnswer } from '../../schemas/patients.ts';
import type { TriageAnswer } from '../../schemas/encounters.ts';
import { api } from './api.ts';
import { $, fill, h, show } from './dom.ts';
import { pageWords } from './island.ts';
import { clock, day } from './time.ts';

const t = pageWords<HistoryWord>();
const vitalKeys = ['systolic', 'diastolic', 'pulse', 'respiratoryRate', 'temperature', 'spo2', 'weight', 'height'] as const;

let chart: uPlot | null = null;
let seq = 0;

/** Loads and draws the history of the visit's patient; `visitId` (the visit open now) is left out of the list. */
export function loadHistory(patientId: string, visitId: string, ticketId: string | null): void {
  const n = ++seq;
  api<PatientHistoryAnswer>('GET', '/api/v1/patients/' + encodeURIComponent(patientId) + '/history?visits=10').then(
    (r) => {
      if (n === seq) drawHistory(r, visitId);
    },
    () => fill($('#hist-visits'), h('p', { class: 'muted' }, t('histNone'))),
  );
  show($('#triage'), false);
  if (ticketId)
    api<TriageAnswer>('GET', '/api/v1/queue/tickets/' + encodeURIComponent(ticketId) + '/vitals').then(
      (v) => {
        if (n === seq) drawTriage(v);
      },
      () => {
        /* no triage: nothing to show */
      },
    );
}

function drawTriage(v: TriageAnswer) {
  const values = vitalKeys.filter((k) => v.vitals[k] !== undefined).map((k) => t(k) + ' ' + v.vitals[k]);
  show($('#triage'), !!v.recordedAt && values.length > 0);
  $('#triage').textContent = v.recordedAt ? t('triageBy', { name: v.recordedBy || '', time: clock(v.recordedAt), values: values.join(', ') }) : '';
}

function drawHistory(r: PatientHistoryAnswer, visitId: string) {
  fill(
    $('#hist-allergies'),
    r.allergies.length
      ? r.allergies.map((a) => h('div', { class: 'low' }, t('histAllergy', { substance: a.substance, reaction: a.reaction || '—' })))
      : h('p', { class: 'small muted' }, t('histNoAllergies')),
  );
  const past = r.visits.filter((v) => v.id !== visitId);
  fill(
    $('#hist-visits'),
    past.length
      ? past.map((v) =>
          h(
            'div',
            { class: 'hist-visit', 'data-testid': 'history-visit' },
            h('div', { class: 'small muted' }, t('histVisitLine', { date: day(v.openedAt), poli: v.poli, doctor: v.doctorName })),
            h(
              'div',
              null,
              v.diagnoses.map((d) => [h('b', null, d.code), ' ' + d.name + ' ']),
            ),
            v.vitals.systolic !== undefined ? h('div', { class: 'small' }, t('histBp', { value: v.vitals.systolic + '/' + (v.vitals.diastolic ?? '—') })) : null,
            v.medicines.length
              ? h(
                  'ul',
                  { class: 'small' },
                  v.medicines.map((m) => h('li', null, m.name + ' ' + m.strength + ' · ' + m.quantity + ' ' + m.unit + ' · ' + m.signa)),
                )
              : null,
          ),
        )
      : h('p', { class: 'muted' }, t('histNone')),
  );
  fill(
    $('#hist-refs'),
    r.referrals.length
      ? r.referrals.map((x) =>
          h(
            'div',
            { class: 'hist-visit', 'data-testid': 'history-referral' },
            h('b', null, x.hospitalName),
            ' · ' + x.specialty + ' · ' + x.diagnosisCode + ' · ' + day(x.createdAt) + ' ',
            h('span', { class: 'pill' }, x.status),
            x.scheduledFor ? ' ' + t('histScheduled', { date: day(x.scheduledFor) }) : null,
            x.answerNote ? h('div', { class: 'small' }, t('histAnswer', { note: x.answerNote })) : null,
          ),
        )
      : h('p', { class: 'small muted' }, t('histNoRefs')),
  );
  drawChart(r.series);
}

const idNames = {
  MMMM: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
  MMM: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
  WWWW: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  WWW: ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'],
};

function drawChart(series: PatientHistoryAnswer['series']) {
  const el = $('#hist-chart');
  if (chart) {
    chart.destroy();
    chart = null;
  }
  // One time axis for both: each measurement at its visit's time, gaps where one was not taken.
  const at = new Map<number, { s?: number; d?: number; w?: number }>();
  const slot = (iso: string) => {
    const x = Math.round(Date.parse(iso) / 1000);
    let o = at.get(x);
    if (!o) at.set(x, (o = {}));
    return o;
  };
  for (const b of series.bloodPressure) Object.assign(slot(b.at), { s: b.systolic, d: b.diastolic });
  for (const w of series.weight) slot(w.at).w = w.weight;
  const xs = [...at.keys()].sort((a, b) => a - b);
  if (!xs.length) {
    fill(el, h('p', { class: 'small muted' }, t('histNoChart')));
    return;
  }
  fill(el);
  const pick = (k: 's' | 'd' | 'w') => xs.map((x) => at.get(x)![k] ?? null);
  const en = document.documentElement.lang === 'en';
  const shortDay = new Intl.DateTimeFormat(en ? 'en-GB' : 'id-ID', { day: 'numeric', month: 'short' });
  chart = new uPlot(
    {
      width: Math.max(280, el.clientWidth || 600),
      height: 200,
      fmtDate: (tpl: string) => uPlot.fmtDate(tpl, en ? undefined : idNames),
      scales: { x: { time: true }, mmHg: { auto: true }, kg: { auto: true } },
      series: [
        { label: t('histDate'), value: (_u: uPlot, x: number | null) => (x == null ? '—' : day(new Date(x * 1000).toISOString())) },
        { label: t('systolic'), scale: 'mmHg', stroke: '#b3261e', width: 2, spanGaps: true, points: { show: true } },
        { label: t('diastolic'), scale: 'mmHg', stroke: '#e8918a', width: 2, spanGaps: true, points: { show: true } },
        { label: t('weight'), scale: 'kg', stroke: '#0b4f8a', width: 2, dash: [6, 4], spanGaps: true, points: { show: true } },
      ],
      axes: [
        { values: (_u: uPlot, splits: number[]) => splits.map((x) => shortDay.format(new Date(x * 1000))) },
        { scale: 'mmHg' },
        { scale: 'kg', side: 1, grid: { show: false } },
      ],
    },
    [xs, pick('s'), pick('d'), pick('w')],
    el,
  );
}
