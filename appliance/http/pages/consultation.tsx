import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { type Lang } from '../i18n.ts';
import { words } from '../../words/index.ts';
import { Layout, MessagePage, render } from './layout.tsx';
import { page } from './guard.tsx';
import { assetUrl } from './assets.ts';
import { findEncounter } from '../../clinic/encounters.ts';
import { ClinicError } from '../../clinic/errors.ts';
import type { ConsultationWord, PageWords } from '../../words/page-words.ts';

/**
 * The consultation screen, the same on both sides: the patient's phone (inside the ticket page's
 * #konsultasi) and the doctor's tablet (beside the encounter form, or full screen at
 * /staff/konsultasi/:id). Built by browser/call.ts inside a `[data-call]` element.
 */

export const consultationCss = `
[data-call]{min-width:0;max-width:100%}
.call{display:grid;grid-template-columns:minmax(0,1fr);gap:8px}
.call>*{min-width:0}
.call .stage{position:relative;background:#111;border-radius:10px;overflow:hidden;aspect-ratio:4/3;max-height:60vh}
.call .stage video.remote{width:100%;height:100%;object-fit:contain;background:#111}
.call .stage video.self{position:absolute;right:8px;bottom:8px;width:28%;max-width:160px;border:2px solid #fff;border-radius:8px;background:#333}
.call .stage .note{position:absolute;left:0;right:0;top:40%;text-align:center;color:#fff;font-weight:700;padding:0 12px;text-shadow:0 1px 2px #000}
.call .bar{display:flex;gap:6px;flex-wrap:wrap}
.call .bar button{flex:1 1 40%;min-width:0;min-height:48px;font-size:15px;padding:6px 10px}
.call .bar button[aria-pressed=true]{background:var(--warnbg);color:var(--warn);border-color:var(--warn)}
.call .q{display:inline-flex;align-items:center;gap:6px;font-size:14px;font-weight:700}
.call .q i{display:inline-block;width:12px;height:12px;border-radius:50%;background:#999}
.call .q.good i{background:#1e8e3e}.call .q.fair i{background:#f0a500}.call .q.poor i{background:#c5221f}
.call .chat{border:1px solid var(--line);border-radius:8px;background:#fff;max-height:180px;overflow-y:auto;padding:6px;font-size:15px}
.call .chat p{margin:2px 0}
.call .chat .me{text-align:right;color:var(--pri)}
.call form{display:flex;gap:6px}
.call form input{flex:1;min-width:0}
.tablet .call .stage{max-height:70vh}
`;

export function consultationStrings(lang: Lang): PageWords<ConsultationWord> {
  const w = words(lang);
  return {
    c_waitingConsent: w.c_waitingConsent,
    c_connecting: w.c_connecting,
    c_connected: w.cq_connected,
    c_waitingPeer_patient: w.c_waitingPeer_patient,
    c_waitingPeer_doctor: w.c_waitingPeer_doctor,
    c_stopped: w.c_stopped,
    c_withdrawn: w.c_withdrawn,
    c_hangup: w.c_hangup,
    c_hangupBy_patient: w.c_hangupBy_patient,
    c_hangupBy_doctor: w.c_hangupBy_doctor,
    c_failed: w.c_failed,
    c_mute: w.c_mute,
    c_unmute: w.c_unmute,
    c_camOff: w.c_camOff,
    c_camOn: w.c_camOn,
    c_audioOnly: w.audioOnly,
    c_video: w.c_video,
    c_hangupBtn: w.c_hangupBtn,
    c_restart: w.c_restart,
    c_chat: w.c_chat,
    c_send: w.c_send,
    c_you: w.c_you,
    c_from_patient: w.patient,
    c_from_doctor: w.doctor,
    c_q_good: w.c_q_good,
    c_q_fair: w.c_q_fair,
    c_q_poor: w.c_q_poor,
    c_q_none: w.c_q_none,
    c_suggest: w.c_suggest,
    c_suggestYes: w.c_suggestYes,
    c_peerAudioOnly_patient: w.c_peerAudioOnly_patient,
    c_peerAudioOnly_doctor: w.c_peerAudioOnly_doctor,
    c_peerCamOff: w.c_peerCamOff,
    c_noCamera: w.c_noCamera,
    c_insecure: w.c_insecure,
    c_offline: w.c_offline,
    c_noRecord: w.c_noRecord,
  };
}

/** The doctor's panel beside the encounter form (pemeriksaan): a button, then the call. Its script is in the page's bundle. */
export function DoctorConsultationPanel({ c }: { c: Context<AppEnv> }) {
  const lang = c.get('lang');
  const w = words(lang);
  const strings = JSON.stringify(consultationStrings(lang)).replace(/</g, '\\u003c');
  return (
    <div class="card" id="konsultasi-video" data-testid="consultation-panel">
      <style dangerouslySetInnerHTML={{ __html: consultationCss }} />
      <div class="row" style="justify-content:space-between">
        <h2 style="margin:0">{w.videoConsultation}</h2>
        <button type="button" id="call-start" data-testid="consultation-start">
          {w.startVideoConsultation}
        </button>
      </div>
      <div data-call="doctor" hidden></div>
      <script type="application/json" id="t-konsultasi" dangerouslySetInnerHTML={{ __html: strings }} />
    </div>
  );
}

export function registerConsultationPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/konsultasi/:id', ['doctor', 'midwife'], async (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const id = c.req.param('id') ?? '';
    let e;
    try {
      e = /^[0-9a-f-]{36}$/i.test(id) ? await findEncounter(c.get('deps').db, id) : null;
    } catch (err) {
      if (!(err instanceof ClinicError)) throw err;
      e = null;
    }
    if (!e) {
      return render(
        c,
        <MessagePage
          c={c}
          variant="tablet"
          testid="consultation-not-found"
          title={w.encounterNotFound}
          text={w.openTheConsultationFromThe}
          link={{ href: '/staff/pemeriksaan', text: w.toExamination }}
        />,
        404,
      );
    }
    return render(
      c,
      <Layout
        c={c}
        title={`${w.videoConsultation} · ${e.patientName}`}
        variant="tablet"
        extraCss={consultationCss}
        scripts={['konsultasi']}
        strings={consultationStrings(lang)}
        data={{ staff: true, encounterId: e.id, open: e.status === 'open', tz: c.get('deps').settings.timeZone }}
      >
        <main>
          <div class="row" style="justify-content:space-between">
            <h1 data-testid="consultation-patient">{e.patientName}</h1>
            <a class="btn sec" href="/staff/pemeriksaan">
              {w.backToTheEncounter}
            </a>
          </div>
          {e.status === 'open' ? (
            <section class="card">
              <div data-call="doctor" data-autostart="1" data-encounter={e.id}></div>
            </section>
          ) : (
            <div class="msg err">{w.thisEncounterIsClosed}</div>
          )}
        </main>
      </Layout>,
    );
  });
}
