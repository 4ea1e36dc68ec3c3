import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { register } from '../access.ts';
import { tr, type Lang } from '../i18n.ts';
import { ClinicError } from '../../clinic/errors.ts';
import type { TicketView } from '../../clinic/queue.ts';
import { publicTicket } from '../routes/queue.ts';
import { Layout, MessagePage, render } from './layout.tsx';
import { page, pageGuard } from './guard.tsx';
import { consultationCss, consultationStrings } from './consultation.tsx';

/** The patient's pages: on a cheap phone over the clinic Wi-Fi, 360 px wide, no account. */

const tokenShape = /^[A-Za-z0-9_-]{20,64}$/;

const css = `
.polis{display:grid;gap:12px}
.poli-btn{display:flex;flex-direction:column;align-items:flex-start;width:100%;min-height:84px;text-align:left;font-size:22px;padding:12px 16px}
.poli-btn small{font-weight:400;font-size:16px;opacity:.9}
.ticket{text-align:center}
.ticket .num{font-size:72px;font-weight:800;line-height:1.05;letter-spacing:1px;margin:4px 0}
.ticket .poli{font-size:22px;font-weight:700}
.facts{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-top:12px}
.fact{background:var(--pri2);border-radius:8px;padding:8px}
.fact b{display:block;font-size:26px}
.called{background:#ffd54a;color:#000;border:3px solid #8a4b00;border-radius:12px;padding:14px;font-size:24px;font-weight:800;text-align:center;margin:0 0 12px}
.called.flash{animation:fl 1s ease-in-out 6}
@keyframes fl{50%{background:#fff}}
.doc{border-top:1px solid var(--line);padding-top:8px;margin-top:8px}
.doc ul{padding-left:20px;margin:6px 0}
.conn-row{display:flex;justify-content:space-between;align-items:center;gap:8px;margin-bottom:8px}
`;

export function ticketStrings(lang: Lang): Record<string, string> {
  const t = (id: string, en: string) => tr(lang, id, en);
  return {
    st_waiting: t('Menunggu', 'Waiting'),
    st_called: t('Dipanggil', 'Called'),
    st_serving: t('Sedang dilayani', 'Being served'),
    st_done: t('Selesai', 'Done'),
    st_skipped: t('Dilewati — lapor ke petugas', 'Skipped — tell the desk staff'),
    st_no_show: t('Tidak hadir', 'Marked absent'),
    calledGo: t('Nomor Anda dipanggil, silakan ke {room}', 'Your number is called, please go to {room}'),
    ahead: t('{n} orang', '{n} people'),
    aheadNone: t('Anda berikutnya', 'You are next'),
    minutes: t('± {n} menit', '± {n} min'),
    minutesNone: t('sebentar lagi', 'very soon'),
    connOn: t('terhubung', 'connected'),
    connOff: t('menyambung ulang…', 'reconnecting…'),
    expired: t('Tiket ini sudah tidak berlaku (layanan hari ini sudah berakhir).', 'This ticket is no longer valid (today’s service has ended).'),
    soundOn: t('Bunyi & getar aktif', 'Sound & vibration on'),
    noDocs: t('Belum ada dokumen. Resep dan rujukan muncul di sini setelah diperiksa dokter.', 'No documents yet. Prescriptions and referrals appear here after the doctor sees you.'),
    docsError: t('Dokumen belum bisa dimuat. Coba lagi nanti.', 'Documents could not be loaded. Try again later.'),
    prescription: t('Resep obat', 'Prescription'),
    ps_issued: t('Siap ditebus di apotek/farmasi', 'Ready to collect at the pharmacy'),
    ps_dispensed: t('Obat sudah disiapkan — ambil di farmasi', 'Medicine prepared — collect at the pharmacy'),
    ps_picked_up: t('Obat sudah diambil', 'Medicine collected'),
    days: t('{n} hari', '{n} days'),
    referral: t('Surat rujukan', 'Referral letter'),
    emergency: t('GAWAT DARURAT — langsung ke rumah sakit', 'EMERGENCY — go straight to the hospital'),
    validUntil: t('Berlaku sampai {d}', 'Valid until {d}'),
    openLetter: t('Lihat surat rujukan', 'Open the referral letter'),
    rs_draft: t('Draf', 'Draft'), rs_issued: t('Diterbitkan', 'Issued'), rs_sent: t('Terkirim ke rumah sakit', 'Sent to the hospital'),
    rs_accepted: t('Diterima rumah sakit', 'Accepted by the hospital'), rs_scheduled: t('Dijadwalkan', 'Scheduled'),
    rs_rejected: t('Ditolak — hubungi petugas', 'Rejected — ask the staff'), rs_used: t('Sudah dipakai', 'Used'), rs_expired: t('Kedaluwarsa', 'Expired'),
    consentAsk: t('Dokter mengajak Anda konsultasi lewat video (suara dan gambar).', 'The doctor invites you to a video consultation (sound and picture).'),
    consentAskAudio: t('Dokter mengajak Anda konsultasi lewat suara saja.', 'The doctor invites you to an audio-only consultation.'),
    consentWhat: t('Konsultasi hanya dimulai bila Anda setuju. Anda boleh menarik persetujuan kapan saja; suara dan video langsung berhenti.', 'The consultation starts only if you agree. You may withdraw at any time; sound and video stop at once.'),
    consentYes: t('Saya setuju', 'I agree'),
    consentGiven: t('Anda sudah setuju (pukul {time}).', 'You agreed (at {time}).'),
    consentVerbal: t('dicatat lisan oleh {name}', 'recorded verbally by {name}'),
    consentWithdraw: t('Tarik persetujuan', 'Withdraw consent'),
    scheduled: t('Jadwal di rumah sakit: {d}', 'Hospital appointment: {d}'),
    ...consultationStrings(lang),
  };
}

function TicketBody({ lang, v, token, endsAt }: { lang: Lang; v: ReturnType<typeof publicTicket>; token: string; endsAt: string }) {
  const t = (id: string, en: string) => tr(lang, id, en);
  const s = ticketStrings(lang);
  const called = v.status === 'called';
  return (
    <main>
      <div id="called" class="called" role="alert" data-testid="ticket-called" hidden={!called}>
        <span id="called-text">{called ? s.calledGo.replace('{room}', v.room ?? '') : ''}</span>
      </div>
      <div class="conn-row noprint">
        <span id="conn" class="conn" data-testid="conn-state" aria-live="polite">{s.connOff}</span>
        <button type="button" id="sound" class="sec" data-testid="enable-sound" style="min-height:40px;font-size:15px">{t('Aktifkan bunyi & getar', 'Turn on sound & vibration')}</button>
      </div>
      <section class="card ticket" data-testid="ticket">
        <div class="muted">{t('Nomor antrean Anda', 'Your queue number')}</div>
        <div class="num" id="label" data-testid="ticket-label">{v.label}</div>
        <div class="poli" id="poli" data-testid="ticket-poli">{v.poliName}</div>
        <div style="margin-top:8px"><span id="status" class={`pill st-${v.status}`} data-testid="ticket-status">{s[`st_${v.status}`]}</span></div>
        <div class="facts">
          <div class="fact" id="pos-box" hidden={v.position === null}>
            {t('Di depan Anda', 'Ahead of you')}
            <b id="ahead" data-testid="ticket-ahead">{v.position === null ? '' : v.position <= 1 ? s.aheadNone : s.ahead.replace('{n}', String(v.position - 1))}</b>
            <span class="small muted">{t('Urutan ke-', 'Position ')}<span id="position" data-testid="ticket-position">{v.position ?? ''}</span></span>
          </div>
          <div class="fact" id="wait-box" hidden={v.estimatedWaitMinutes === null}>
            {t('Perkiraan tunggu', 'Estimated wait')}
            <b id="wait" data-testid="ticket-wait">{v.estimatedWaitMinutes === null ? '' : v.estimatedWaitMinutes < 1 ? s.minutesNone : s.minutes.replace('{n}', String(v.estimatedWaitMinutes))}</b>
          </div>
        </div>
      </section>
      <div id="expired" class="msg err" data-testid="ticket-expired" hidden>{s.expired}</div>
      <section class="card" id="keep">
        <b>{t('Simpan tautan halaman ini', 'Keep this page’s link')}</b>
        <p class="small" style="margin:4px 0 0">
          {t('Tandai (bookmark) halaman ini atau biarkan tetap terbuka: hanya tautan ini yang menunjukkan nomor Anda. Jangan bagikan ke orang lain. ',
            'Bookmark this page or keep it open: only this link shows your number. Do not share it. ')}
          <span data-testid="ticket-expiry">{t('Berlaku sampai akhir layanan hari ini', 'Valid until the end of today’s service')} ({t('pukul', 'at')} {endsAt}).</span>
        </p>
      </section>
      <section class="card" id="konsultasi" data-testid="consent" hidden>
        {/* The consent prompt (GET/POST /api/v1/tickets/:token/consent), then the call through the box (browser/call.ts). */}
        <h2 style="margin-top:0">{t('Konsultasi jarak jauh', 'Remote consultation')}</h2>
        <div id="konsultasi-body"></div>
        <div data-call="patient" data-testid="patient-call" hidden></div>
      </section>
      <section class="card" id="dokumen" data-testid="documents">
        <h2 style="margin-top:0">{t('Dokumen Anda', 'Your documents')}</h2>
        <div id="docs" aria-live="polite"><span class="muted small">{t('Memuat…', 'Loading…')}</span></div>
      </section>
      <p class="small muted">{t('Nomor lain? ', 'Another number? ')}<a href="/ambil">{t('Ambil nomor antrean', 'Take a queue number')}</a></p>
      <input type="hidden" id="token" value={token} />
    </main>
  );
}

async function waitingCounts(c: Context<AppEnv>) {
  const { queue, settings } = c.get('deps');
  const out: Record<string, number> = {};
  for (const p of settings.polis) out[p.code] = (await queue.list(p.code)).filter((v) => v.ticket.status === 'waiting').length;
  return out;
}

function AmbilPage({ c, counts, error }: { c: Context<AppEnv>; counts: Record<string, number>; error?: string }) {
  const lang = c.get('lang');
  const t = (id: string, en: string) => tr(lang, id, en);
  const polis = c.get('deps').settings.polis;
  return (
    <Layout c={c} title={t('Ambil nomor antrean', 'Take a queue number')} variant="phone" extraCss={css} scripts={['ambil']}
      strings={{ taking: t('Mengambil nomor…', 'Taking a number…'), mine: t('Nomor Anda hari ini', 'Your numbers today') }}>
      <main>
        <h1>{t('Ambil nomor antrean', 'Take a queue number')}</h1>
        <p class="muted">{t('Pilih poli tujuan, lalu tunggu dipanggil. Tidak perlu daftar akun.', 'Choose the clinic you need, then wait to be called. No account needed.')}</p>
        <div id="err" class="msg err" data-testid="ambil-error" role="alert" hidden={!error}>{error ?? ''}</div>
        <section id="mine" class="card" data-testid="my-tickets" hidden>
          <b>{t('Nomor Anda hari ini', 'Your numbers today')}</b>
          <div id="mine-list"></div>
        </section>
        <form method="post" action="/ambil" class="polis" id="ambil-form">
          {polis.map((p) => (
            <button type="submit" name="poli" value={p.code} class="poli-btn" data-testid={`ambil-${p.code}`} data-poli={p.code}>
              <span>{t('Ambil nomor', 'Take a number')} · {p.name}</span>
              <small>{t(`${counts[p.code] ?? 0} orang menunggu`, `${counts[p.code] ?? 0} waiting`)}</small>
            </button>
          ))}
        </form>
        <p id="busy" class="msg info" hidden aria-live="polite"></p>
        <p class="small muted">{t('Tidak punya HP atau butuh bantuan? Silakan ke meja pendaftaran.', 'No phone or need help? Please go to the registration desk.')}</p>
      </main>
    </Layout>
  );
}

function takeError(lang: Lang, e: unknown): string {
  if (e instanceof ClinicError && e.code === 'expired') return tr(lang, 'Layanan hari ini sudah berakhir. Silakan datang lagi besok.', 'Today’s service has ended. Please come back tomorrow.');
  return tr(lang, 'Nomor belum bisa diambil. Coba lagi atau ke meja pendaftaran.', 'Could not take a number. Try again or go to the desk.');
}

export function registerPatientPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/', ['public'], (c) => c.redirect('/ambil', 302));

  page(app, '/ambil', ['public'], async (c) => render(c, <AmbilPage c={c} counts={await waitingCounts(c)} />));

  // Without JavaScript the buttons post the form here; with it, the page calls the JSON API.
  register({ method: 'POST', path: '/ambil', access: ['public'], kind: 'page' });
  app.post('/ambil', pageGuard('public'), async (c) => {
    const lang = c.get('lang');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const poli = typeof form.poli === 'string' ? form.poli : '';
    if (!c.get('deps').settings.polis.some((p) => p.code === poli)) {
      return render(c, <AmbilPage c={c} counts={await waitingCounts(c)} error={tr(lang, 'Pilih salah satu poli.', 'Choose one of the clinics.')} />, 400);
    }
    try {
      const { token } = await c.get('deps').queue.take({ poli, source: 'phone' });
      return c.redirect(`/t/${token}`, 303);
    } catch (e) {
      if (!(e instanceof ClinicError)) throw e;
      return render(c, <AmbilPage c={c} counts={await waitingCounts(c)} error={takeError(lang, e)} />, e.code === 'expired' ? 410 : 400);
    }
  });

  page(app, '/t/:token', ['ticket'], async (c) => {
    const lang = c.get('lang');
    const token = c.req.param('token') ?? '';
    const view: TicketView | null = tokenShape.test(token) ? await c.get('deps').queue.view(token) : null;
    if (!view) {
      return render(c, <MessagePage c={c} testid="ticket-not-found" title={tr(lang, 'Tiket tidak ditemukan', 'Ticket not found')}
        text={tr(lang, 'Periksa kembali tautan Anda, atau ambil nomor baru.', 'Check your link, or take a new number.')}
        link={{ href: '/ambil', text: tr(lang, 'Ambil nomor antrean', 'Take a queue number') }} />, 404);
    }
    if (view.expired) {
      return render(c, <MessagePage c={c} testid="ticket-expired" title={tr(lang, 'Tiket sudah tidak berlaku', 'Ticket no longer valid')}
        text={ticketStrings(lang).expired} link={{ href: '/ambil', text: tr(lang, 'Ambil nomor antrean', 'Take a queue number') }} />, 410);
    }
    const v = publicTicket(view);
    c.header('referrer-policy', 'no-referrer');
    c.header('x-robots-tag', 'noindex');
    return render(c, (
      <Layout c={c} title={`${v.label} · ${tr(lang, 'Tiket antrean', 'Queue ticket')}`} variant="phone" extraCss={css + consultationCss} scripts={['ticket']}
        strings={ticketStrings(lang)} data={{ token, ticket: v, tz: c.get('deps').settings.timeZone }}>
        <TicketBody lang={lang} v={v} token={token} endsAt={c.get('deps').settings.serviceEndsAt} />
      </Layout>
    ));
  });
}
