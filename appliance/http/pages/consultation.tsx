import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { tr, type Lang } from '../i18n.ts';
import { Layout, MessagePage, render } from './layout.tsx';
import { page } from './guard.tsx';
import { assetUrl } from './assets.ts';
import { findEncounter } from '../../clinic/encounters.ts';
import { ClinicError } from '../../clinic/errors.ts';

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

export function consultationStrings(lang: Lang): Record<string, string> {
  const t = (id: string, en: string) => tr(lang, id, en);
  return {
    c_waitingConsent: t('Menunggu persetujuan pasien. Video dan suara belum dimulai.', 'Waiting for the patient’s consent. Video and sound have not started.'),
    c_connecting: t('Menyambungkan…', 'Connecting…'),
    c_connected: t('Tersambung', 'Connected'),
    c_waitingPeer_patient: t('Menunggu pasien bergabung…', 'Waiting for the patient to join…'),
    c_waitingPeer_doctor: t('Menunggu dokter bergabung…', 'Waiting for the doctor to join…'),
    c_stopped: t('Video dan suara berhenti.', 'Video and sound stopped.'),
    c_withdrawn: t('Persetujuan ditarik: video dan suara dihentikan.', 'Consent withdrawn: video and sound stopped.'),
    c_hangup: t('Konsultasi diakhiri.', 'The consultation was ended.'),
    c_hangupBy_patient: t('Pasien mengakhiri konsultasi.', 'The patient ended the consultation.'),
    c_hangupBy_doctor: t('Dokter mengakhiri konsultasi.', 'The doctor ended the consultation.'),
    c_failed: t('Sambungan video terputus. Chat tetap bisa dipakai.', 'The video link dropped. Chat still works.'),
    c_mute: t('Bisukan', 'Mute'), c_unmute: t('Suara aktif', 'Unmute'),
    c_camOff: t('Kamera mati', 'Camera off'), c_camOn: t('Kamera nyala', 'Camera on'),
    c_audioOnly: t('Suara saja', 'Audio only'), c_video: t('Pakai video', 'Use video'),
    c_hangupBtn: t('Tutup', 'Hang up'), c_restart: t('Mulai lagi', 'Start again'),
    c_chat: t('Tulis pesan…', 'Write a message…'), c_send: t('Kirim', 'Send'),
    c_you: t('Anda', 'You'), c_from_patient: t('Pasien', 'Patient'), c_from_doctor: t('Dokter', 'Doctor'),
    c_q_good: t('Sinyal baik', 'Good signal'), c_q_fair: t('Sinyal sedang', 'Fair signal'), c_q_poor: t('Sinyal buruk', 'Poor signal'), c_q_none: t('Sinyal: —', 'Signal: —'),
    c_suggest: t('Sinyal lemah. Beralih ke suara saja agar konsultasi tetap lancar?', 'Weak signal. Switch to audio only so the consultation keeps going?'),
    c_suggestYes: t('Ya, suara saja', 'Yes, audio only'),
    c_peerAudioOnly_patient: t('Pasien beralih ke suara saja.', 'The patient switched to audio only.'),
    c_peerAudioOnly_doctor: t('Dokter beralih ke suara saja.', 'The doctor switched to audio only.'),
    c_peerCamOff: t('Kamera lawan bicara mati.', 'The other side’s camera is off.'),
    c_noCamera: t('Kamera/mikrofon tidak bisa dipakai di HP ini. Anda tetap bisa mendengar dan chat.', 'Camera/microphone unavailable on this device. You can still listen and chat.'),
    c_insecure: t('Kamera hanya bisa dipakai lewat alamat https:// kotak puskesmas.', 'The camera only works through the box’s https:// address.'),
    c_offline: t('Sambungan ke kotak terputus, menyambung ulang…', 'Lost the link to the box, reconnecting…'),
    c_noRecord: t('Tidak ada rekaman: suara dan gambar tidak disimpan.', 'Nothing is recorded: sound and picture are not stored.'),
  };
}

/** The doctor's panel beside the encounter form (pemeriksaan): a button, then the call. Its script is in the page's bundle. */
export function DoctorConsultationPanel({ c }: { c: Context<AppEnv> }) {
  const lang = c.get('lang');
  const t = (id: string, en: string) => tr(lang, id, en);
  const strings = JSON.stringify(consultationStrings(lang)).replace(/</g, '\\u003c');
  return (
    <div class="card" id="konsultasi-video" data-testid="consultation-panel">
      <style dangerouslySetInnerHTML={{ __html: consultationCss }} />
      <div class="row" style="justify-content:space-between">
        <h2 style="margin:0">{t('Konsultasi video', 'Video consultation')}</h2>
        <button type="button" id="call-start" data-testid="consultation-start">{t('Mulai konsultasi video', 'Start video consultation')}</button>
      </div>
      <div data-call="doctor" hidden></div>
      <script type="application/json" id="t-konsultasi" dangerouslySetInnerHTML={{ __html: strings }} />
    </div>
  );
}

export function registerConsultationPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/konsultasi/:id', ['doctor'], async (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const id = c.req.param('id') ?? '';
    let e;
    try {
      e = /^[0-9a-f-]{36}$/i.test(id) ? await findEncounter(c.get('deps').db, id) : null;
    } catch (err) {
      if (!(err instanceof ClinicError)) throw err;
      e = null;
    }
    if (!e) {
      return render(c, <MessagePage c={c} variant="tablet" testid="consultation-not-found" title={t('Pemeriksaan tidak ditemukan', 'Encounter not found')}
        text={t('Buka konsultasi dari halaman Pemeriksaan.', 'Open the consultation from the Examination page.')} link={{ href: '/staff/pemeriksaan', text: t('Ke Pemeriksaan', 'To Examination') }} />, 404);
    }
    return render(c, (
      <Layout c={c} title={`${t('Konsultasi video', 'Video consultation')} · ${e.patientName}`} variant="tablet" extraCss={consultationCss} scripts={['konsultasi']}
        strings={consultationStrings(lang)} data={{ staff: true, encounterId: e.id, open: e.status === 'open', tz: c.get('deps').settings.timeZone }}>
        <main>
          <div class="row" style="justify-content:space-between">
            <h1 data-testid="consultation-patient">{e.patientName}</h1>
            <a class="btn sec" href="/staff/pemeriksaan">{t('Kembali ke pemeriksaan', 'Back to the encounter')}</a>
          </div>
          {e.status === 'open'
            ? <section class="card"><div data-call="doctor" data-autostart="1" data-encounter={e.id}></div></section>
            : <div class="msg err">{t('Pemeriksaan ini sudah ditutup.', 'This encounter is closed.')}</div>}
        </main>
      </Layout>
    ));
  });
}
