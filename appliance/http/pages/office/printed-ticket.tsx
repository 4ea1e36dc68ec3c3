import QRCode from 'qrcode';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words, format } from '../../../words/index.ts';
import { Layout, MessagePage, render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { boxOrigin } from '../display.tsx';
import { StaffLayout } from '../staff/layout.tsx';
import type { PageWords, PrintedTicketWord } from '../../../words/page-words.ts';
import type { Role } from '../../../clinic/staff.ts';

/** Who works the desk (as /staff/qr/:token). */
const desk: Role[] = ['nurse', 'midwife', 'admin'];

/**
 * The printed ticket's layouts: A5 (an ordinary printer; on A4 it takes the top half), and the
 * 80 mm and 58 mm thermal receipt printers puskesmas use, printed through the browser with the
 * printer's paper width (a receipt driver cuts after the page). Each is one page: the test renders
 * it to PDF in Chromium and counts.
 */
export const ticketLayouts = {
  a5: { page: 'A5 portrait', margin: '12mm', width: '124mm', label: '64pt', qr: '58mm', text: '13pt' },
  r80: { page: '80mm 140mm', margin: '3mm', width: '72mm', label: '40pt', qr: '40mm', text: '10pt' },
  r58: { page: '58mm 150mm', margin: '2mm', width: '52mm', label: '30pt', qr: '32mm', text: '8.5pt' },
} as const;
export type TicketLayout = keyof typeof ticketLayouts;

const css = (l: TicketLayout) => {
  const x = ticketLayouts[l];
  return `
body.print{background:#fff;color:#000}
.karcis{width:${x.width};margin:0 auto;text-align:center;font-size:${x.text};line-height:1.3}
.karcis .fac{font-weight:700}
.karcis .lbl{font-size:${x.label};font-weight:900;line-height:1.05;margin:1mm 0;letter-spacing:1px}
.karcis .poli{font-size:1.4em;font-weight:800}
.karcis .qr svg{width:${x.qr};height:${x.qr};display:block;margin:1.5mm auto}
.karcis hr{border:0;border-top:1px dashed #000;margin:1.5mm 0}
.karcis p{margin:1mm 0}
.controls{max-width:520px;margin:12px auto;padding:0 12px}
@page{size:${x.page};margin:${x.margin}}
@media print{.controls{display:none}body{margin:0}}
`;
};

export function registerPrintedTicketPages(app: OpenAPIHono<AppEnv>) {
  // The desk takes a number for a patient without a phone; browser/karcis.ts opens its ticket.
  page(app, '/staff/karcis', desk, (c) => {
    const w = words(c.get('lang'));
    const { settings } = c.get('deps');
    return render(
      c,
      <StaffLayout c={c} title={w.kar_title} scripts={['karcis']} strings={{ kar_take: w.kar_take } satisfies PageWords<PrintedTicketWord>}>
        <main style="max-width:520px">
          <h1>{w.kar_title}</h1>
          <p class="muted">{w.kar_intro}</p>
          <form id="karcis-form" class="card" data-testid="karcis-form" novalidate>
            <label for="k-poli">{w.field_ticketId} — Poli</label>
            <select id="k-poli" name="poli" data-testid="karcis-poli" style="width:100%">
              {settings.polis.map((p) => (
                <option value={p.code}>{p.name}</option>
              ))}
            </select>
            <label for="k-layout">{w.kar_layout}</label>
            <select id="k-layout" name="layout" data-testid="karcis-layout" style="width:100%">
              <option value="a5">{w.kar_formatA5}</option>
              <option value="r80">{w.kar_format80}</option>
              <option value="r58">{w.kar_format58}</option>
            </select>
            <p>
              <button type="submit" class="big" data-testid="karcis-take">
                {w.kar_take}
              </button>
            </p>
            <div id="karcis-msg" class="msg" role="alert" hidden></div>
          </form>
        </main>
      </StaffLayout>,
    );
  });

  page(app, '/staff/karcis/:token', desk, async (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { settings, queue } = c.get('deps');
    const token = c.req.param('token') ?? '';
    const view = /^[A-Za-z0-9_-]{20,64}$/.test(token) ? await queue.view(token) : null;
    if (!view || view.expired) return render(c, <MessagePage c={c} variant="tablet" title={w.kar_title} text={w.kar_unknown} testid="karcis-unknown" />, 404);
    const q = c.req.query('layout');
    const layout: TicketLayout = q === 'r80' || q === 'r58' ? q : 'a5';
    const link = `${boxOrigin(c)}/t/${token}`;
    // The QR is made here by a pure-JS encoder (qrcode), as the entrance poster's: no network.
    const qr = await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    const taken = new Date(view.ticket.takenAt);
    const locale = lang === 'en' ? 'en-GB' : 'id-ID';
    const date = new Intl.DateTimeFormat(locale, { timeZone: settings.timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(taken);
    const time = new Intl.DateTimeFormat(locale, { timeZone: settings.timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(taken);
    const ahead = view.position === null ? null : view.position - 1;
    const here = `/staff/karcis/${token}`;
    return render(
      c,
      <Layout c={c} title={`${w.kar_title} ${view.ticket.label}`} variant="print" bare extraCss={css(layout)} scripts={['print']}>
        <nav class="controls row" aria-label={w.kar_layout}>
          <a class="btn sec" href={`${here}?layout=a5`} aria-current={layout === 'a5' ? 'page' : undefined} data-testid="layout-a5">
            {w.kar_formatA5}
          </a>
          <a class="btn sec" href={`${here}?layout=r80`} aria-current={layout === 'r80' ? 'page' : undefined} data-testid="layout-r80">
            {w.kar_format80}
          </a>
          <a class="btn sec" href={`${here}?layout=r58`} aria-current={layout === 'r58' ? 'page' : undefined} data-testid="layout-r58">
            {w.kar_format58}
          </a>
          <button type="button" id="print" data-testid="karcis-print">
            {w.kar_print}
          </button>
          <a class="btn sec" href="/staff/karcis" data-testid="karcis-another">
            {w.kar_another}
          </a>
        </nav>
        <main class="karcis" data-testid="karcis" data-layout={layout}>
          <div class="fac">{settings.facility.name}</div>
          <hr />
          <div>{w.field_ticketId}</div>
          <h1 class="lbl" data-testid="karcis-label">
            {view.ticket.label}
          </h1>
          <div class="poli" data-testid="karcis-poli-name">
            {view.poliName}
          </div>
          <p data-testid="karcis-time">{format(w.kar_taken, { date, time })}</p>
          {ahead !== null ? <p data-testid="karcis-ahead">{format(w.kar_ahead, { n: ahead })}</p> : null}
          {view.estimatedWaitMinutes !== null ? <p>{format(w.kar_wait, { m: view.estimatedWaitMinutes })}</p> : null}
          <hr />
          <div class="qr" role="img" aria-label={w.kar_scan} data-testid="karcis-qr" dangerouslySetInnerHTML={{ __html: qr }} />
          <p>{w.kar_scan}</p>
          <p>{w.kar_keep}</p>
        </main>
      </Layout>,
    );
  });
}
