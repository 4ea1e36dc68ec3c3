import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { tr, type Lang } from '../i18n.ts';

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

export function callQualityStrings(lang: Lang): Record<string, string> {
  const t = (id: string, en: string) => tr(lang, id, en);
  return {
    cq_quality: t('Kualitas', 'Quality'),
    cq_good: t('Baik', 'Good'), cq_fair: t('Cukup', 'Fair'), cq_poor: t('Buruk', 'Poor'), cq_none: t('Tidak terukur', 'Not measured'),
    cq_ended: t('Berakhir: {why}.', 'Ended: {why}.'),
    cq_end_hangup: t('ditutup dengan tombol Tutup', 'hung up'),
    cq_end_withdrawn: t('pasien menarik persetujuan', 'the patient withdrew consent'),
    cq_end_left: t('halaman konsultasi ditutup', 'the consultation page was closed'),
    cq_end_encounter_closed: t('pemeriksaan ditutup', 'the encounter was closed'),
    cq_end_failed: t('sambungan terputus', 'the connection dropped'),
    cq_end_shutdown: t('kotak dimatikan atau dimulai ulang', 'the box shut down or restarted'),
    cq_end_replaced: t('dibuka lagi di halaman lain', 'reopened on another page'),
    cq_dur_ms: t('{m} mnt {s} dtk', '{m} min {s} s'), cq_dur_s: t('{s} dtk', '{s} s'),
    cq_patient: t('Pasien', 'Patient'), cq_doctor: t('Dokter', 'Doctor'),
    cq_up: t('kirim', 'sends'), cq_down: t('terima', 'receives'),
    cq_loss: t('hilang {n}%', '{n}% lost'), cq_lossMax: t('maks {n}%', 'max {n}%'),
    cq_cap: t('batas {n} kbit/s', 'cap {n} kbit/s'),
    cq_video: 'Video', cq_audioOnly: t('Suara saja', 'Audio only'), cq_connected: t('Tersambung', 'Connected'),
    cq_chart: t('Kapan tiap sisi tersambung, dan kecepatan serta paket hilang tiap arah', 'When each side was connected, and each direction’s bitrate and loss'),
    cq_figures: t('Angka lengkap', 'All figures'),
    cq_f_upKbps: t('Kirim, kbit/s (rata-rata)', 'Sends, kbit/s (average)'),
    cq_f_downKbps: t('Terima, kbit/s (rata-rata)', 'Receives, kbit/s (average)'),
    cq_f_upLoss: t('Hilang saat kirim, % (rata-rata / maks)', 'Lost sending, % (average / max)'),
    cq_f_downLoss: t('Hilang saat terima, % (rata-rata / maks)', 'Lost receiving, % (average / max)'),
    cq_f_jitter: t('Jitter, ms (rata-rata)', 'Jitter, ms (average)'),
    cq_f_rtt: t('Waktu bolak-balik, ms (rata-rata / maks)', 'Round trip, ms (average / max)'),
    cq_f_samples: t('Pengukuran (baik / cukup / buruk)', 'Samples (good / fair / poor)'),
    cq_f_packets: t('Paket masuk / keluar', 'Packets in / out'),
    cq_f_frames: t('Frame video masuk / keluar', 'Video frames in / out'),
    cq_f_decoded: t('Frame ditampilkan di perangkat', 'Frames decoded on the device'),
    cq_f_audio: t('Paket suara diterima perangkat', 'Audio packets received by the device'),
    cq_keyframes: t('Permintaan gambar utuh (keyframe)', 'Keyframe requests'),
    cq_events: t('Peristiwa', 'Events'),
    cq_ev_connected: t('tersambung', 'connected'), cq_ev_video: t('memakai video', 'video on'), 'cq_ev_audio-only': t('beralih ke suara saja', 'switched to audio only'),
    cq_ev_closed: t('lepas ({why})', 'left ({why})'),
  };
}

export function CallHistoryCard({ c }: { c: Context<AppEnv> }) {
  const t = (id: string, en: string) => tr(c.get('lang'), id, en);
  return (
    <div class="card" id="calls" data-testid="call-history" hidden>
      <style dangerouslySetInnerHTML={{ __html: css }} />
      <h2 style="margin-top:0">{t('Kualitas konsultasi video', 'Video consultation quality')}</h2>
      <p class="small muted" style="margin-top:0">{t('Hanya angka sambungan; suara dan gambar tidak disimpan.', 'Link figures only; sound and picture are not stored.')}</p>
      <div id="calls-list" data-testid="call-history-list" aria-live="polite"></div>
      <div id="calls-msg" class="msg" role="status" hidden></div>
    </div>
  );
}
