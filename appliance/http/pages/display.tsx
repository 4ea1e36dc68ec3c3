import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import QRCode from 'qrcode';
import type { AppEnv } from '../env.ts';
import { words } from '../../words/index.ts';
import { Layout, render } from './layout.tsx';
import { page } from './guard.tsx';
import type { LayarWord, PageWords } from '../../words/page-words.ts';

/** The waiting-room TV, the entrance poster, and the QR codes that lead phones to /ambil. */

/** The box's own address as the phone reached it; a Host header that is not a plain host name is not echoed. */
export function boxOrigin(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  const host = c.req.header('host') ?? url.host;
  const safe = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : 'simpul.local';
  return `${url.protocol}//${safe}`;
}

async function qrSvg(c: Context<AppEnv>, text: string) {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return c.body(svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-cache' });
}

const tvCss = `
body.tv{background:#0b1e33;color:#fff;overflow:hidden}
.tvwrap{display:grid;grid-template-columns:minmax(0,1fr) 27vw;gap:2vw;height:100vh;padding:1.5vw 2vw}
.tvmain{display:flex;flex-direction:column;min-height:0}
.tvhead{display:flex;justify-content:space-between;align-items:baseline;font-size:2.4vw;font-weight:700}
.tvhead .clock{font-variant-numeric:tabular-nums}
.now{background:#ffd54a;color:#000;border-radius:1.5vw;padding:1vw 2vw;margin:1vw 0;text-align:center}
.now .lbl{font-size:9.5vw;font-weight:900;line-height:1;white-space:nowrap}
.now .where{font-size:2.8vw;font-weight:800}
.now.flash{animation:fl 1s ease-in-out 5}
@keyframes fl{50%{background:#fff}}
.polis{display:grid;grid-template-columns:repeat(auto-fit,minmax(14vw,1fr));gap:1vw}
.pc{background:#163556;border-radius:1vw;padding:.8vw;text-align:center}
.pc .n{font-size:1.8vw;font-weight:700}
.pc .l{font-size:4.2vw;font-weight:900;line-height:1.15;white-space:nowrap}
.pc .r{font-size:1.6vw;min-height:2vw}
.side{background:#fff;color:#000;border-radius:1.5vw;padding:1.2vw;text-align:center;display:flex;flex-direction:column;justify-content:center;gap:.6vw}
.side img{width:100%;height:auto;max-height:55vh;object-fit:contain}
.side .big{font-size:2.1vw;font-weight:800}
.side .url{font-size:1.4vw;font-weight:700;word-break:break-all}
.recent{font-size:1.8vw;margin-top:1vw;color:#cfe0f5}
.recent span{display:inline-block;margin-right:2vw}
#chime{font-size:1.3vw;min-height:0;padding:.4vw 1vw}
.tvconn{font-size:1.2vw;opacity:.8;margin-top:auto}
`;

const posterCss = `
body.print{background:#fff}
.sheet{max-width:190mm;margin:0 auto;padding:10mm 0;text-align:center}
.sheet h1{font-size:34pt;margin:0 0 4mm}
.sheet .fac{font-size:20pt;font-weight:700}
.sheet img{width:110mm;height:110mm;margin:6mm auto;display:block}
.sheet ol{text-align:left;font-size:17pt;max-width:160mm;margin:0 auto}
.sheet .url{font-size:16pt;font-weight:700;word-break:break-all}
.sheet .en{font-size:12pt;color:#333;margin-top:6mm}
@page{size:A4 portrait;margin:12mm}
`;

export function registerDisplayPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/qr/ambil.svg', ['public'], (c) => qrSvg(c, `${boxOrigin(c)}/ambil`));

  // A walk-in's ticket link as a QR for the patient to scan from the desk tablet.
  page(app, '/staff/qr/:token', ['nurse', 'midwife', 'admin'], (c) => {
    const token = c.req.param('token') ?? '';
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return c.text('bad token', 400);
    return qrSvg(c, `${boxOrigin(c)}/t/${token}`);
  });

  page(app, '/layar', ['public'], async (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { settings, queue } = c.get('deps');
    const calls = (await queue.recentCalls()).map((x) => ({ label: x.label, poliName: x.poliName, room: x.room, calledAt: x.calledAt, callCount: x.callCount }));
    const latest = calls[0];
    return render(
      c,
      <Layout
        c={c}
        title={w.queueScreen}
        variant="tv"
        bare
        extraCss={tvCss}
        scripts={['layar']}
        strings={
          { room: w.room, none: w.noCallsYet, speak: w.speak, connOn: w.connectedShort, connOff: w.connOff, soundOn: w.soundOn, sp_call: w.sp_call } satisfies PageWords<LayarWord>
        }
        data={{ calls, tz: settings.timeZone, lang }}
      >
        <div class="tvwrap">
          <div class="tvmain">
            <div class="tvhead">
              <span>{settings.facility.name}</span>
              <span class="clock" id="clock"></span>
            </div>
            <div class="now" id="now" data-testid="display-latest">
              <div class="where">{w.nowCalling}</div>
              <div class="lbl" id="now-label" data-testid="display-latest-label">
                {latest?.label ?? '—'}
              </div>
              <div class="where" id="now-where">
                {latest ? `${latest.poliName} · ${w.pleaseGoTo} ${latest.room ?? ''}` : w.noCallsYet}
              </div>
            </div>
            <div class="polis">
              {settings.polis.map((p) => {
                const last = calls.find((x) => x.poliName === p.name);
                return (
                  <div class="pc" data-poli-name={p.name} data-testid={`display-poli-${p.code}`}>
                    <div class="n">{p.name}</div>
                    <div class="l">{last?.label ?? '—'}</div>
                    <div class="r">{last?.room ?? ''}</div>
                  </div>
                );
              })}
            </div>
            <div class="recent" id="recent" data-testid="display-recent"></div>
            <div class="tvconn">
              <span id="conn" data-testid="conn-state">
                {w.connecting}
              </span>
            </div>
          </div>
          <aside class="side" data-testid="display-qr">
            <div class="big">{w.takeAQueueNumberOn}</div>
            <img src="/qr/ambil.svg" alt={w.qrCodeToTheTake} width="300" height="300" />
            <div>{w.joinTheClinicWiFi}</div>
            <div class="url">{boxOrigin(c)}/ambil</div>
            <div>
              <button type="button" id="chime" class="sec" data-testid="enable-chime">
                {w.tapToTurnTheSound}
              </button>
            </div>
          </aside>
        </div>
      </Layout>,
    );
  });

  page(app, '/poster', ['public'], (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { settings } = c.get('deps');
    const url = `${boxOrigin(c)}/ambil`;
    return render(
      c,
      <Layout c={c} title={w.queuePoster} variant="print" extraCss={posterCss} scripts={['print']}>
        <div class="sheet" data-testid="poster">
          <div class="fac">{settings.facility.name}</div>
          <h1>{w.takeYourQueueNumberOn}</h1>
          <img src="/qr/ambil.svg" alt="QR" data-testid="poster-qr" />
          <ol>
            <li>{w.connectYourPhoneToThe}</li>
            <li>{w.scanThisQrCodeWith}</li>
            <li>{w.chooseTheClinicTapTake}</li>
            <li>{w.keepTheTicketPageYour}</li>
          </ol>
          <p class="url">{url}</p>
          <p>{w.noPhonePleaseGoTo}</p>
          {lang === 'id' ? <p class="en">Take a queue number on your phone: join the clinic Wi-Fi, scan the code, choose the clinic.</p> : null}
          <p class="noprint">
            <button type="button" id="print" data-testid="poster-print">
              {w.printPoster}
            </button>
          </p>
        </div>
      </Layout>,
    );
  });
}
