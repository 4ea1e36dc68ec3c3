import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../env.ts';
import { type Lang } from '../i18n.ts';
import { words } from '../../words/index.ts';
import { assetUrl } from './assets.ts';

/**
 * One layout for every page: system fonts, big touch targets, high contrast, no asset from
 * outside the box. `variant` picks the width: phone (patient), tablet (staff), tv, print.
 */
export type Variant = 'phone' | 'tablet' | 'tv' | 'print';

const css = `
:root{--fg:#111;--bg:#f3f5f7;--card:#fff;--mut:#4a4f55;--pri:#0a4f8f;--pri2:#e6f0fa;--ok:#176b2c;--okbg:#e3f4e7;--warn:#8a4b00;--warnbg:#fff3dc;--bad:#a1001c;--badbg:#fde8eb;--line:#c9cfd6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--pri)}
header.top{display:flex;align-items:center;gap:8px;background:var(--pri);color:#fff;padding:8px 12px;min-height:52px}
header.top .fac{font-weight:700;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
header.top a{color:#fff}
header.top .lang{border:2px solid #fff;border-radius:6px;padding:4px 10px;text-decoration:none;font-weight:700}
header.top .who{font-size:15px}
main{margin:0 auto;padding:12px}
.phone main{max-width:480px}
.tablet main{max-width:1280px}
h1{font-size:24px;margin:8px 0 12px}
h2{font-size:20px;margin:18px 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px;margin:0 0 12px}
.muted{color:var(--mut)}
.small{font-size:14px}
button,.btn{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:48px;padding:8px 16px;font:inherit;font-weight:700;border-radius:8px;border:2px solid var(--pri);background:var(--pri);color:#fff;cursor:pointer;text-decoration:none;touch-action:manipulation}
button.sec,.btn.sec{background:#fff;color:var(--pri)}
button.bad{background:#fff;color:var(--bad);border-color:var(--bad)}
button:disabled{opacity:.5;cursor:default}
button.big,.btn.big{width:100%;min-height:64px;font-size:21px}
input,select,textarea{font:inherit;min-height:48px;padding:8px 10px;border:2px solid var(--line);border-radius:8px;background:#fff;color:var(--fg);max-width:100%}
input:focus,select:focus,button:focus-visible,a:focus-visible{outline:3px solid #f0a500;outline-offset:1px}
label{display:block;font-weight:600;margin:8px 0 4px}
label.inline{display:inline-flex;align-items:center;gap:6px;font-weight:400;margin-right:14px}
label.inline input{min-height:24px;width:24px;height:24px}
.row{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.grow{flex:1}
.msg{padding:10px 12px;border-radius:8px;margin:8px 0}
.msg.err{background:var(--badbg);color:var(--bad);border:1px solid var(--bad)}
.msg.ok{background:var(--okbg);color:var(--ok);border:1px solid var(--ok)}
.msg.info{background:var(--pri2);color:var(--pri);border:1px solid var(--pri)}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:700;font-size:15px;background:#e8eaed}
.st-waiting{background:var(--pri2);color:var(--pri)}
.st-called{background:var(--warnbg);color:var(--warn)}
.st-serving{background:var(--okbg);color:var(--ok)}
.st-done{background:#e8eaed;color:#333}
.st-skipped,.st-no_show{background:var(--badbg);color:var(--bad)}
.conn{font-size:14px;padding:2px 8px;border-radius:999px;background:var(--badbg);color:var(--bad)}
.conn.on{background:var(--okbg);color:var(--ok)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px;border-bottom:1px solid var(--line);vertical-align:middle}
th{background:#eef1f4;font-size:15px}
[hidden]{display:none!important}
@media print{header.top,.noprint{display:none!important}body{background:#fff}}
.skip{position:absolute;left:-9999px;top:0;z-index:10;background:#fff;color:var(--pri);padding:10px 14px;font-weight:700;border:3px solid #f0a500}
.skip:focus{left:8px;top:8px}
`;

export interface LayoutProps {
  c: Context<AppEnv>;
  title: string;
  variant: Variant;
  children: Child;
  /** Bundled script names under /assets (see assets.ts). */
  scripts?: string[];
  /** Strings for the page's script, in the request's language. */
  strings?: Record<string, string>;
  /** Data for the page's script. */
  data?: unknown;
  extraCss?: string;
  /** Hide the header (TV and print). */
  bare?: boolean;
  /** A "skip to content" link first, to the page's `<main id="main" tabindex="-1">` (keyboard users pass the header and tabs). */
  skipLink?: boolean;
}

/** JSON for a <script type=application/json> island; `<` escaped so it can never close the tag. */
const island = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, (m) => (m === '\u2028' ? '\\u2028' : '\\u2029'));

/** The same page in the other language (the `lang` query sets the cookie). */
export function langSwitchHref(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', c.get('lang') === 'en' ? 'id' : 'en');
  return url.pathname + url.search;
}

export function Layout(p: LayoutProps) {
  const { c } = p;
  const lang = c.get('lang');
  const session = c.get('session');
  const s = c.get('deps').settings;
  const w = words(lang);
  const roleName: Record<string, string> = { doctor: w.doctor, nurse: w.nurse, pharmacist: w.pharmacist, admin: 'Admin', midwife: w.acc_midwife };
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        {session ? <meta name="csrf-token" content={session.csrfToken} /> : null}
        <link rel="icon" href="data:," />
        <title>{`${p.title} · ${s.facility.name}`}</title>
        <style dangerouslySetInnerHTML={{ __html: css + (p.extraCss ?? '') }} />
      </head>
      <body class={p.variant}>
        {p.skipLink ? (
          <a class="skip" href="#main" data-testid="skip-link">
            {w.skipToContent}
          </a>
        ) : null}
        {p.bare ? null : (
          <header class="top">
            <span class="fac" data-testid="facility-name">
              {s.facility.name}
            </span>
            {session && p.variant === 'tablet' ? (
              <>
                <a class="who" href="/staff" data-testid="staff-home-link">
                  {session.actor.name} · {roleName[session.actor.role]}
                </a>
                <button type="button" class="sec" id="logout" data-testid="logout" style="min-height:36px;padding:4px 10px">
                  {w.logOut}
                </button>
              </>
            ) : null}
            <a class="lang" href={langSwitchHref(c)} data-testid="lang-switch" hreflang={lang === 'en' ? 'id' : 'en'}>
              {lang === 'en' ? 'Indonesia' : 'English'}
            </a>
          </header>
        )}
        {session && c.get('deps').clock?.().trusted === false ? (
          // The box's clock went back (a power cut on a box with no clock battery).
          <div class="msg err" role="alert" data-testid="clock-untrusted" style="margin:8px 12px">
            {w.clockUntrusted}
          </div>
        ) : null}
        {p.children}
        {p.strings ? <script type="application/json" id="t" dangerouslySetInnerHTML={{ __html: island(p.strings) }} /> : null}
        {p.data !== undefined ? <script type="application/json" id="d" dangerouslySetInnerHTML={{ __html: island(p.data) }} /> : null}
        {(p.scripts ?? []).map((name) => (
          <script src={assetUrl(name)} defer />
        ))}
      </body>
    </html>
  );
}

/** Renders a page: sets the `lang` cookie when `?lang=` chose one, and adds the doctype. */
export function render(c: Context<AppEnv>, node: unknown, status: 200 | 400 | 403 | 404 | 410 = 200) {
  const q = c.req.query('lang');
  if (q === 'id' || q === 'en') setCookie(c, 'lang', q, { path: '/', maxAge: 365 * 86400, sameSite: 'Lax' });
  c.header('cache-control', 'no-store');
  return c.html(html`<!doctype html>${raw('')}${node}`, status);
}

/** A short message page (not found, expired, forbidden). */
export function MessagePage(p: { c: Context<AppEnv>; title: string; text: string; variant?: Variant; link?: { href: string; text: string }; testid?: string }) {
  return (
    <Layout c={p.c} title={p.title} variant={p.variant ?? 'phone'}>
      <main>
        <div class="card" data-testid={p.testid ?? 'message'}>
          <h1>{p.title}</h1>
          <p>{p.text}</p>
          {p.link ? (
            <p>
              <a class="btn" href={p.link.href}>
                {p.link.text}
              </a>
            </p>
          ) : null}
        </div>
      </main>
    </Layout>
  );
}

export type { Lang };
