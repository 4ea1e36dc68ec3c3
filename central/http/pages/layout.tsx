/**
 * The hub's page frame: one small stylesheet inline, no script and nothing from outside the hub
 * (it must work offline), and a link to the same page in the other language.
 * Values reach the page only as JSX children and attributes, which Hono escapes.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { html, raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { hubWords, type HubLang } from '../words.ts';

const css = `body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}.warn{color:#a30}form{display:flex;gap:.3rem;flex-wrap:wrap}nav{display:flex;gap:1rem;align-items:baseline}nav .lang{margin-left:auto}.stack{flex-direction:column;align-items:stretch;max-width:26rem}.stack label{display:flex;flex-direction:column;gap:.2rem}.state.done{color:#060}.state.failed,.state.expired{color:#a30}@media (max-width:40rem){body{margin:.6rem}table{display:block;overflow-x:auto}nav{flex-wrap:wrap}}`;

/** The hub's pages run no script; styles are inline; forms post to the hub only; no framing. */
export const hubPageCsp = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** The fleet console's live pages: the hub's own scripts and stylesheets (uPlot, the live updates) and their requests back to the hub; nothing inline runs. */
export const hubLivePageCsp =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface PageProps {
  lang: HubLang;
  /** The page's own path (for the language link). */
  path: string;
  title: string;
  nav: Child;
  children: Child;
  /** The hub's own scripts (deferred, in this order) and stylesheets; a page with any is sent with hubLivePageCsp. */
  scripts?: string[];
  styles?: string[];
}

export function HubLayout(p: PageProps) {
  const other: HubLang = p.lang === 'en' ? 'id' : 'en';
  return (
    <html lang={p.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>{p.title}</title>
        <style dangerouslySetInnerHTML={{ __html: css }} />
        {(p.styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        {(p.scripts ?? []).map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
        <h1>{p.title}</h1>
        <nav>
          {p.nav}
          <a class="lang" href={`${p.path}?lang=${other}`} hreflang={other} data-testid="lang-switch">
            {hubWords[p.lang].otherLanguage}
          </a>
        </nav>
        {p.children}
      </body>
    </html>
  );
}

/** Sends a page: the doctype, the `lang` cookie when `?lang=` chose one (as on the box), no caching, the pages' CSP. */
export function sendPage(c: Context, lang: HubLang, node: unknown, o: { scripts?: boolean } = {}) {
  const q = c.req.query('lang');
  if (q === 'id' || q === 'en') setCookie(c, 'lang', q, { path: '/', maxAge: 365 * 86400, sameSite: 'Lax', httpOnly: true });
  c.header('cache-control', 'no-store');
  c.header('content-security-policy', o.scripts ? hubLivePageCsp : hubPageCsp);
  c.header('x-content-type-options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the answer form's POST, which the CSRF check refuses.
  c.header('referrer-policy', 'same-origin');
  c.header('x-frame-options', 'DENY');
  return c.html(html`<!doctype html>${raw('')}${node}`);
}
