import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallStats, type CallRecord } from '../../relay/quality.ts';
import type { LinkQuality, QualityLevel } from '../../relay/protocol.ts';
import type { Lang } from '../i18n.ts';
import { callQualityStrings } from './call-quality.tsx';
import * as cq from './browser/call-quality.ts';
import { fillIn } from './browser/island.ts';
import { StandInDocument, outerHtml } from './browser/testing.ts';

/**
 * The encounter screen's call-quality code (browser/call-quality.ts) run without a browser: it
 * builds DOM nodes, here on a stand-in document that writes them out as HTML.
 */
beforeAll(() => {
  (globalThis as { document?: unknown }).document = new StandInDocument();
});
afterAll(() => {
  delete (globalThis as { document?: unknown }).document;
});

function text(lang: Lang): cq.CallText {
  const strings = callQualityStrings(lang);
  return { t: (key, vars) => fillIn(strings[key] ?? key, vars), clock: (iso: string) => iso.slice(11, 16) };
}
const recordHtml = (call: CallRecord, lang: Lang) => outerHtml(cq.callRecord(text(lang), call, lang));
const historyHtml = (calls: CallRecord[], lang: Lang) => cq.callHistory(text(lang), calls, lang).map(outerHtml).join('');

const link = (level: QualityLevel, kbps = 500, lossPct = 0.5): LinkQuality => ({
  level,
  up: { kbps, lossPct, jitterMs: 12 },
  down: { kbps: kbps - 20, lossPct, rttMs: 30 },
});

/** A call record as the relay makes it (CallStats), with fixed times and events. */
function record(patient: QualityLevel[], doctor: QualityLevel[], extra: Partial<CallRecord> = {}): CallRecord {
  const stats = new CallStats('enc-1', 632);
  for (const l of patient) stats.sample('patient', link(l, l === 'poor' ? 60 : 480, l === 'poor' ? 12 : 0.4));
  for (const l of doctor) stats.sample('doctor', link(l));
  stats.keyframe('join');
  stats.addLegTotals('patient', { inPackets: 900, outPackets: 880, framesIn: 300, framesOut: 290 }, { framesDecoded: 285, audioPacketsReceived: 700 });
  return {
    ...stats.finish('hangup'),
    startedAt: '2026-11-25T03:10:00.000Z',
    endedAt: '2026-11-25T03:14:12.000Z',
    seconds: 252,
    events: [
      { at: 0, what: 'patient:connected' },
      { at: 0.8, what: 'doctor:connected' },
      { at: 60, what: 'patient:audio-only' },
      { at: 90, what: 'patient:video' },
      { at: 120, what: 'doctor:closed:left' },
      { at: 125, what: 'doctor:connected' },
      { at: 252, what: 'patient:closed:hangup' },
      { at: 252, what: 'doctor:closed:hangup' },
    ],
    ...extra,
  };
}

describe('call quality on the encounter screen', () => {
  it('grades a call by its worse side, from the relay’s own samples', () => {
    const good = Array<QualityLevel>(10).fill('good');
    expect(cq.callLevel(record(good, good))).toBe('good');
    // One poor moment in ten (a camera starting) is still a good call.
    expect(cq.callLevel(record(['poor', ...good.slice(1)], good))).toBe('good');
    expect(cq.callLevel(record(['fair', 'fair', 'fair', ...good.slice(3)], good))).toBe('fair');
    expect(cq.callLevel(record(good, ['poor', 'poor', 'poor', ...good.slice(3)]))).toBe('poor');
    // No sample taken (a call shorter than two seconds): not measured, not "good".
    expect(cq.callLevel(record([], []))).toBeNull();
    expect(cq.callLevel(record([], ['fair']))).toBe('fair');
  });

  it('finds when each side was connected and when it was on sound only', () => {
    const call = record(['good'], ['good']);
    expect(cq.legSpans(call, 'patient')).toEqual([
      { from: 0, to: 60, audioOnly: false },
      { from: 60, to: 90, audioOnly: true },
      { from: 90, to: 252, audioOnly: false },
    ]);
    expect(cq.legSpans(call, 'doctor')).toEqual([
      { from: 0.8, to: 120, audioOnly: false },
      { from: 125, to: 252, audioOnly: false },
    ]);
    // A "video" event that changes nothing (a mute toggle) does not split a span; a call cut short runs to its end.
    const open = record(['good'], ['good'], {
      seconds: 30,
      events: [
        { at: 1, what: 'patient:connected' },
        { at: 5, what: 'patient:video' },
      ],
    });
    expect(cq.legSpans(open, 'patient')).toEqual([{ from: 1, to: 30, audioOnly: false }]);
  });

  it('writes one call in plain words with its level, a chart and the figures folded away', () => {
    const html = recordHtml(record(Array(10).fill('good'), Array(10).fill('good')), 'id');
    expect(html).toContain('data-level="good"');
    expect(html).toContain('>Baik<');
    expect(html).toContain('03:10–03:14');
    expect(html).toContain('4 mnt 12 dtk');
    expect(html).toContain('Berakhir: ditutup dengan tombol Tutup.');
    expect(html).toContain('<svg viewBox=');
    expect(html).toContain('480 kbit/s');
    expect(html).toContain('hilang 0,4%');
    expect(html).toContain('batas 632 kbit/s');
    expect(html).toContain('<details');
    expect(html).toContain('Dokter: lepas (halaman konsultasi ditutup)');
    for (const bad of ['NaN', 'undefined', 'null', 'cq_', 'Infinity']) expect(html).not.toContain(bad);
  });

  it('marks heavy loss and a call that was never measured', () => {
    const poor = recordHtml(record(['poor', 'poor', 'good'], ['good'], { endReason: 'failed' }), 'id');
    expect(poor).toContain('data-level="poor"');
    expect(poor).toContain('>Buruk<');
    expect(poor).toContain('class="fair">· hilang 8,1% (maks 12%)');
    expect(poor).toContain('sambungan terputus');
    const none = recordHtml(record([], [], { seconds: 1.2, events: [] }), 'id');
    expect(none).toContain('>Tidak terukur<');
    expect(none).toContain('1 dtk');
    for (const bad of ['NaN', 'undefined', 'cq_', 'Infinity']) expect(none).not.toContain(bad);
  });

  it('speaks English on the English page and lists the newest call first', () => {
    const older = record(['good'], ['good'], { startedAt: '2026-11-25T03:00:00.000Z', endReason: 'withdrawn' });
    const newer = record(['fair'], ['good'], { startedAt: '2026-11-25T03:20:00.000Z' });
    const html = historyHtml([older, newer], 'en');
    expect(html.indexOf('03:20')).toBeLessThan(html.indexOf('03:00'));
    expect(html).toContain('>Fair<');
    expect(html).toContain('Ended: the patient withdrew consent.');
    expect(html).toContain('0.4% lost');
    expect(html).toContain('4 min 12 s');
  });
});
