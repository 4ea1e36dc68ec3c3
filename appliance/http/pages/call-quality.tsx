import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { type Lang } from '../i18n.ts';
import { words } from '../../words/index.ts';
import type { CallQualityWord, PageWords } from '../../words/page-words.ts';

/**
 * The saved quality of the open encounter's video calls, on the doctor's encounter screen
 * (pemeriksaan). Filled by browser/call-quality.ts (in the pemeriksaan bundle) from GET /api/v1/encounters/{id}/calls; hidden
 * while the encounter has no call.
 */

const css = `
.cq{border-top:1px solid var(--line);padding:10px 0}
.cq:first-child{border-top:0;padding-top:0}
.cq-head{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.lv-good{background:var(--okbg);color:var(--ok)}
.lv-fair{background:var(--warnbg);color:var(--warn)}
.lv-poor{background:var(--badbg);color:var(--bad)}
.cq svg{display:block;width:100%;max-width:620px;height:auto;margin:8px 0 2px}
.cq svg text{font-size:13px;fill:var(--fg)}
.cq svg .mut{fill:var(--mut)}
.cq svg .good{fill:var(--ok)}.cq svg .fair{fill:var(--warn)}.cq svg .poor{fill:var(--bad);font-weight:700}
.cq svg .track{fill:#e8eaed}
.cq .vid,.cq svg .bar{fill:var(--pri);background:var(--pri)}
.cq .aud{fill:#8fb3d9;background:#8fb3d9}
.cq svg .cap{stroke:var(--mut);stroke-width:1.5;stroke-dasharray:4 3}
.cq .key{display:inline-block;width:14px;height:10px;border-radius:2px;margin:0 4px 0 8px;vertical-align:baseline}
.cq .key:first-child{margin-left:0}
.cq details{margin-top:6px}
.cq summary{min-height:40px;padding:8px 0;font-weight:700;cursor:pointer;color:var(--pri)}
.cq details table{font-size:14px}
.cq details th,.cq details td{padding:4px 8px}
.cq details ul{margin:4px 0;padding-left:20px}
`;

export function callQualityStrings(lang: Lang): PageWords<CallQualityWord> {
  const w = words(lang);
  return {
    cq_quality: w.cq_quality,
    cq_good: w.cq_good,
    cq_fair: w.cq_fair,
    cq_poor: w.cq_poor,
    cq_none: w.cq_none,
    cq_ended: w.cq_ended,
    cq_end_hangup: w.cq_end_hangup,
    cq_end_withdrawn: w.cq_end_withdrawn,
    cq_end_left: w.cq_end_left,
    cq_end_encounter_closed: w.cq_end_encounter_closed,
    cq_end_failed: w.cq_end_failed,
    cq_end_shutdown: w.cq_end_shutdown,
    cq_end_replaced: w.cq_end_replaced,
    cq_dur_ms: w.cq_dur_ms,
    cq_dur_s: w.cq_dur_s,
    cq_patient: w.patient,
    cq_doctor: w.doctor,
    cq_up: w.cq_up,
    cq_down: w.cq_down,
    cq_loss: w.cq_loss,
    cq_lossMax: w.cq_lossMax,
    cq_cap: w.cq_cap,
    cq_video: 'Video',
    cq_audioOnly: w.audioOnly,
    cq_connected: w.cq_connected,
    cq_chart: w.cq_chart,
    cq_figures: w.cq_figures,
    cq_f_upKbps: w.cq_f_upKbps,
    cq_f_downKbps: w.cq_f_downKbps,
    cq_f_upLoss: w.cq_f_upLoss,
    cq_f_downLoss: w.cq_f_downLoss,
    cq_f_jitter: w.cq_f_jitter,
    cq_f_rtt: w.cq_f_rtt,
    cq_f_samples: w.cq_f_samples,
    cq_f_packets: w.cq_f_packets,
    cq_f_frames: w.cq_f_frames,
    cq_f_decoded: w.cq_f_decoded,
    cq_f_audio: w.cq_f_audio,
    cq_keyframes: w.cq_keyframes,
    cq_events: w.cq_events,
    cq_ev_connected: w.connectedState,
    cq_ev_video: w.cq_ev_video,
    'cq_ev_audio-only': w['cq_ev_audio-only'],
    cq_ev_closed: w.cq_ev_closed,
  };
}

export function CallHistoryCard({ c }: { c: Context<AppEnv> }) {
  const w = words(c.get('lang'));
  return (
    <div class="card" id="calls" data-testid="call-history" hidden>
      <style dangerouslySetInnerHTML={{ __html: css }} />
      <h2 style="margin-top:0">{w.videoConsultationQuality}</h2>
      <p class="small muted" style="margin-top:0">
        {w.linkFiguresOnlySoundAnd}
      </p>
      <div id="calls-list" data-testid="call-history-list" aria-live="polite"></div>
      <div id="calls-msg" class="msg" role="status" hidden></div>
    </div>
  );
}
