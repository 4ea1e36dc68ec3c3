import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { register } from '../access.ts';
import { type Lang } from '../i18n.ts';
import { format, words } from '../../words/index.ts';
import { ClinicError } from '../../clinic/errors.ts';
import type { TicketView } from '../../clinic/queue.ts';
import { publicTicket } from '../routes/queue.ts';
import { Layout, MessagePage, render } from './layout.tsx';
import { page, pageGuard } from './guard.tsx';
import { consultationCss, consultationStrings } from './consultation.tsx';
import type { AmbilWord, ConsultationWord, PageWords, TicketWord } from '../../words/page-words.ts';

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

export function ticketStrings(lang: Lang): PageWords<TicketWord | ConsultationWord> {
  const w = words(lang);
  return {
    st_waiting: w.st_waiting,
    st_called: w.st_called,
    st_serving: w.st_serving,
    st_done: w.st_done,
    st_skipped: w.st_skipped_patient,
    st_no_show: w.st_no_show,
    calledGo: w.calledGo,
    ahead: w.ahead,
    aheadNone: w.aheadNone,
    minutes: w.minutes,
    minutesNone: w.minutesNone,
    connOn: w.connectedShort,
    connOff: w.connOff,
    expired: w.expired,
    soundOn: w.soundOn_patient,
    noDocs: w.noDocs,
    docsError: w.docsError,
    prescription: w.prescription_patient,
    ps_issued: w.ps_issued_patient,
    ps_dispensed: w.ps_dispensed_patient,
    ps_picked_up: w.ps_picked_up_patient,
    days: w.days,
    referral: w.referral_patient,
    emergency: w.emergency_patient,
    validUntil: w.validUntil,
    openLetter: w.openLetter,
    rs_draft: w.rs_draft,
    rs_issued: w.ps_issued,
    rs_sent: w.rs_sent_patient,
    rs_accepted: w.rs_accepted_patient,
    rs_scheduled: w.rs_scheduled_patient,
    rs_rejected: w.rs_rejected_patient,
    rs_used: w.rs_used,
    rs_expired: w.rs_expired,
    consentAsk: w.consentAsk,
    consentAskAudio: w.consentAskAudio,
    consentWhat: w.consentWhat,
    consentYes: w.consentYes,
    consentGiven: w.consentGiven,
    consentVerbal: w.consentVerbal,
    consentWithdraw: w.consentWithdraw,
    scheduled: w.scheduled,
    ...consultationStrings(lang),
  };
}

function TicketBody({ lang, v, token, endsAt }: { lang: Lang; v: ReturnType<typeof publicTicket>; token: string; endsAt: string }) {
  const w = words(lang);
  const s = ticketStrings(lang);
  const called = v.status === 'called';
  return (
    <main>
      <div id="called" class="called" role="alert" data-testid="ticket-called" hidden={!called}>
        <span id="called-text">{called ? s.calledGo.replace('{room}', v.room ?? '') : ''}</span>
      </div>
      <div class="conn-row noprint">
        {/* Shown by the page's script: without JavaScript there is no live stream to wait for. */}
        <span id="conn" class="conn" data-testid="conn-state" aria-live="polite" hidden>
          {s.connOff}
        </span>
        <noscript>
          <span class="small" data-testid="no-live">
            {w.ticketNoScript}
          </span>
          {/* What only the script can do (sound, documents) is not promised without it. */}
          <style dangerouslySetInnerHTML={{ __html: '#sound,#dokumen{display:none}' }} />
        </noscript>
        <button type="button" id="sound" class="sec" data-testid="enable-sound" style="min-height:40px;font-size:15px">
          {w.turnOnSoundVibration}
        </button>
      </div>
      <section class="card ticket" data-testid="ticket">
        <div class="muted">{w.yourQueueNumber}</div>
        <div class="num" id="label" data-testid="ticket-label">
          {v.label}
        </div>
        <div class="poli" id="poli" data-testid="ticket-poli">
          {v.poliName}
        </div>
        <div style="margin-top:8px">
          <span id="status" class={`pill st-${v.status}`} data-testid="ticket-status">
            {s[`st_${v.status}`]}
          </span>
        </div>
        <div class="facts">
          <div class="fact" id="pos-box" hidden={v.position === null}>
            {w.aheadOfYou}
            <b id="ahead" data-testid="ticket-ahead">
              {v.position === null ? '' : v.position <= 1 ? s.aheadNone : s.ahead.replace('{n}', String(v.position - 1))}
            </b>
            <span class="small muted">
              {w.position}
              <span id="position" data-testid="ticket-position">
                {v.position ?? ''}
              </span>
            </span>
          </div>
          <div class="fact" id="wait-box" hidden={v.estimatedWaitMinutes === null}>
            {w.estimatedWait}
            <b id="wait" data-testid="ticket-wait">
              {v.estimatedWaitMinutes === null ? '' : v.estimatedWaitMinutes < 1 ? s.minutesNone : s.minutes.replace('{n}', String(v.estimatedWaitMinutes))}
            </b>
          </div>
        </div>
      </section>
      <div id="expired" class="msg err" data-testid="ticket-expired" hidden>
        {s.expired}
      </div>
      <section class="card" id="keep">
        <b>{w.keepThisPagesLink}</b>
        <p class="small" style="margin:4px 0 0">
          {w.bookmarkThisPageOrKeep}
          <span data-testid="ticket-expiry">
            {w.validUntilTheEndOf} ({w.at} {endsAt}).
          </span>
        </p>
      </section>
      <section class="card" id="konsultasi" data-testid="consent" hidden>
        {/* The consent prompt (GET/POST /api/v1/tickets/:token/consent), then the call through the box (browser/call.ts). */}
        <h2 style="margin-top:0">{w.remoteConsultation}</h2>
        <div id="konsultasi-body"></div>
        <div data-call="patient" data-testid="patient-call" hidden></div>
      </section>
      <section class="card" id="dokumen" data-testid="documents">
        <h2 style="margin-top:0">{w.yourDocuments}</h2>
        <div id="docs" aria-live="polite">
          <span class="muted small">{w.loading}</span>
        </div>
      </section>
      <p class="small muted">
        {w.anotherNumber}
        <a href="/ambil">{w.takeAQueueNumber}</a>
      </p>
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
  const w = words(lang);
  const polis = c.get('deps').settings.polis;
  return (
    <Layout c={c} title={w.takeAQueueNumber} variant="phone" extraCss={css} scripts={['ambil']} strings={{ taking: w.taking, mine: w.mine } satisfies PageWords<AmbilWord>}>
      <main>
        <h1>{w.takeAQueueNumber}</h1>
        <p class="muted">{w.chooseTheClinicYouNeed}</p>
        <div id="err" class="msg err" data-testid="ambil-error" role="alert" hidden={!error}>
          {error ?? ''}
        </div>
        <section id="mine" class="card" data-testid="my-tickets" hidden>
          <b>{w.mine}</b>
          <div id="mine-list"></div>
        </section>
        <form method="post" action="/ambil" class="polis" id="ambil-form">
          {polis.map((p) => (
            <button type="submit" name="poli" value={p.code} class="poli-btn" data-testid={`ambil-${p.code}`} data-poli={p.code}>
              <span>
                {w.takeANumber} · {p.name}
              </span>
              <small>{format(w.waitingCount, { n: counts[p.code] ?? 0 })}</small>
            </button>
          ))}
        </form>
        <p id="busy" class="msg info" hidden aria-live="polite"></p>
        <p class="small muted">{w.noPhoneOrNeedHelp}</p>
      </main>
    </Layout>
  );
}

function takeError(lang: Lang, e: unknown): string {
  if (e instanceof ClinicError && e.code === 'expired') return words(lang).todaysServiceHasEndedPlease;
  return words(lang).couldNotTakeANumber;
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
      return render(c, <AmbilPage c={c} counts={await waitingCounts(c)} error={words(lang).chooseOneOfTheClinics} />, 400);
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
      return render(
        c,
        <MessagePage
          c={c}
          testid="ticket-not-found"
          title={words(lang).ticketNotFound}
          text={words(lang).checkYourLinkOrTake}
          link={{ href: '/ambil', text: words(lang).takeAQueueNumber }}
        />,
        404,
      );
    }
    if (view.expired) {
      return render(
        c,
        <MessagePage
          c={c}
          testid="ticket-expired"
          title={words(lang).ticketNoLongerValid}
          text={ticketStrings(lang).expired}
          link={{ href: '/ambil', text: words(lang).takeAQueueNumber }}
        />,
        410,
      );
    }
    const v = publicTicket(view);
    c.header('referrer-policy', 'no-referrer');
    c.header('x-robots-tag', 'noindex');
    return render(
      c,
      <Layout
        c={c}
        title={`${v.label} · ${words(lang).queueTicket}`}
        variant="phone"
        extraCss={css + consultationCss}
        scripts={['ticket']}
        strings={ticketStrings(lang)}
        data={{ token, ticket: v, tz: c.get('deps').settings.timeZone }}
      >
        <TicketBody lang={lang} v={v} token={token} endsAt={c.get('deps').settings.serviceEndsAt} />
      </Layout>,
    );
  });
}
