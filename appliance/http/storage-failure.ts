import { Hono } from 'hono';
import { pickLang } from './i18n.ts';
import { words } from '../words/index.ts';

/**
 * What the box serves when its database cannot be opened (a corrupt or unreadable data dir): it
 * never re-initialises over the clinic's records, so it stays up only to say so — on /healthz for
 * the fleet monitor, and on every page for the person at the desk.
 */
export function storageFailureApp(failure: { reason: string; message: string }) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: false, checks: { database: `corrupt: ${failure.reason}`, detail: failure.message } }, 503));
  app.all('*', (c) => {
    const lang = pickLang(c.req.query('lang'), undefined, c.req.header('accept-language'));
    const w = words(lang);
    const body = `<!doctype html><html lang="${lang}"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Simpul</title><body style="font-family:system-ui,sans-serif;margin:2rem;max-width:40rem;line-height:1.5">
<h1>${w.theBoxsDataCannotBe}</h1>
<p>${w.theBoxIsNotServing}</p>
<p>${w.forTheTechnician}: <code>${failure.reason}</code> — ${w.restoreFromABackup}: <code>npx tsx appliance/storage/backup-cli.ts restore &lt;file&gt; &lt;dataDir&gt;</code></p>
</body></html>`;
    return c.html(body, 503);
  });
  return app;
}
