/**
 * The hub's small web face: a status page per box, /metrics for Prometheus, and an admin page
 * (and JSON endpoint) to answer a referral on a hospital's behalf until the hospital inbox exists.
 * Every route is in access.ts's table with who may use it; only /healthz is public.
 * Web standards only (Hono): no Node type in here.
 */
import { Hono, type Context, type Handler } from 'hono';
import { html, raw } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { pickLang, tr } from '../../appliance/http/i18n.ts';
import { checkCredentials, hubRouteTable, type CredentialCheck, type HubRoute } from './access.ts';
import { DownlinkError, answerReferral, pendingDownlink, publishFormulary } from '../downlink/downlink.ts';
import { listDevices } from '../fleet/devices.ts';
import type { HubDb } from '../storage/db.ts';

export interface HubAppDeps {
  db: HubDb;
  adminToken?: string;
  /** Counts of invalid messages per channel (in memory, since start). */
  invalid: () => Map<string, number>;
  /** Records this process stored, by type (in memory, since start): how the load splits between hub processes. */
  storedHere: () => Map<string, number>;
  /** Called after something is queued for a box (an answer, a formulary), to send it at once if the box is online. */
  onAnswered: (deviceId: string) => void;
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const label = (s: string) => s.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
const page = (title: string, body: string) =>
  html`<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}.warn{color:#a30}form{display:flex;gap:.3rem;flex-wrap:wrap}</style>
</head><body><h1>${title}</h1>${raw(body)}</body></html>`;

type HubErrorCode = 'unauthenticated' | 'forbidden' | 'csrf' | 'route_not_found' | 'internal';
const errorText: Record<HubErrorCode | 'malformed' | 'no_admin_token', [ContentfulStatusCode, string, string]> = {
  unauthenticated: [401, 'Perlu token admin hub (Authorization: Bearer <token>, atau Basic dengan token sebagai kata sandi).', 'The hub admin token is required (Authorization: Bearer <token>, or Basic with the token as password).'],
  malformed: [401, 'Header Authorization tidak valid.', 'The Authorization header is malformed.'],
  no_admin_token: [401, 'Hub ini belum punya token admin: setel SIMPUL_HUB_ADMIN_TOKEN.', 'This hub has no admin token: set SIMPUL_HUB_ADMIN_TOKEN.'],
  forbidden: [403, 'Peran Anda tidak diizinkan untuk ini.', 'Your role is not allowed to do this.'],
  csrf: [403, 'Permintaan dari situs lain ditolak.', 'A cross-site request is refused.'],
  route_not_found: [404, 'Alamat tidak ditemukan.', 'No such address.'],
  internal: [500, 'Terjadi kesalahan pada hub. Coba lagi.', 'The hub hit an error. Try again.'],
};

/** The project's one error shape, in the request's language. */
function hubError(c: Context, key: keyof typeof errorText, details: Record<string, unknown> = {}) {
  const [status, id, en] = errorText[key];
  const lang = pickLang(c.req.query('lang'), undefined, c.req.header('accept-language'));
  const code: HubErrorCode = key === 'malformed' || key === 'no_admin_token' ? 'unauthenticated' : key;
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="simpul-hub", charset="UTF-8"' } : {};
  return c.json({ error: { code, message: tr(lang, id, en), details } }, status, headers);
}

const refusal = (c: Context, check: Exclude<CredentialCheck, { ok: true }>) =>
  hubError(c, check.why === 'malformed' || check.why === 'no_admin_token' ? check.why : 'unauthenticated');

export function createHubApp(d: HubAppDeps) {
  const app = new Hono();
  const handlers = new Map<string, Handler>();
  const handle = (method: HubRoute['method'], path: string, h: Handler) => void handlers.set(`${method} ${path}`, h);

  const guard = (r: HubRoute) => async (c: Context, next: () => Promise<void>) => {
    if (!r.access.includes('public')) {
      const check = await checkCredentials(c.req.header('authorization'), d.adminToken);
      if (!check.ok) return refusal(c, check);
      if (!r.access.includes(check.principal.role)) return hubError(c, 'forbidden', { allowed: r.access });
    }
    // A form posted from another site must not answer referrals with the admin's credentials
    // (a browser sends Basic credentials along by itself).
    const origin = c.req.header('origin');
    if (r.method === 'POST' && origin && origin !== new URL(c.req.url).origin) return hubError(c, 'csrf');
    await next();
  };

  handle('GET', '/healthz', async (c) => {
    await d.db.query('SELECT 1');
    return c.json({ ok: true });
  });

  handle('GET', '/api/devices', async (c) => c.json(await deviceOverview(d.db)));

  handle('GET', '/', async (c) => {
    const devices = await deviceOverview(d.db);
    const rows = devices
      .map((x) => {
        const s = x.lastStatus as { pending?: number; parked?: number; oldestPendingAgeSeconds?: number | null; lastSyncAt?: string | null; lastError?: string | null } | null;
        return `<tr><td>${esc(x.id)}${x.revokedAt ? ' <span class="warn">(revoked)</span>' : ''}</td><td>${esc(x.facilityCode)} ${esc(x.name)}</td><td>${esc(x.lastSeenAt ?? 'never')}</td>
<td>${Object.entries(x.recordsByType).map(([t, n]) => `${esc(t)}: ${n}`).join('<br>') || '—'}</td>
<td>${s ? `${s.pending ?? 0} pending, ${s.parked ?? 0} parked${s.oldestPendingAgeSeconds != null ? `, oldest ${Math.round(s.oldestPendingAgeSeconds)} s` : ''}${s.lastError ? `<br><span class="warn">${esc(s.lastError)}</span>` : ''}` : '—'}</td>
<td>${x.downlinkPending}</td></tr>`;
      })
      .join('');
    return c.html(page('Simpul central', `<p><a href="/admin/referrals">Answer referrals</a> · <a href="/metrics">metrics</a></p>
<table><tr><th>box</th><th>facility</th><th>last seen</th><th>records held</th><th>backlog the box reports</th><th>waiting for the box</th></tr>${rows || '<tr><td colspan="6">no box enrolled yet</td></tr>'}</table>`));
  });

  handle('GET', '/metrics', async (c) => {
    const stored = await d.db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2 ORDER BY 1, 2`);
    const rejected = await d.db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM rejections GROUP BY 1, 2 ORDER BY 1, 2`);
    const devices = await listDevices(d.db);
    const pending = await d.db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
    const out: string[] = [
      '# HELP simpul_hub_records_stored_total Records stored at the hub (each version once), per box and type.',
      '# TYPE simpul_hub_records_stored_total counter',
      ...stored.rows.map((r) => `simpul_hub_records_stored_total{device="${label(r.device_id)}",type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_records_rejected_total Records rejected as invalid (parked on the box), per box and type.',
      '# TYPE simpul_hub_records_rejected_total counter',
      ...rejected.rows.map((r) => `simpul_hub_records_rejected_total{device="${label(r.device_id)}",type="${label(r.type)}"} ${r.n}`),
      '# HELP simpul_hub_messages_invalid_total Messages refused before storing (bad frame, schema, unknown box), since start.',
      '# TYPE simpul_hub_messages_invalid_total counter',
      ...[...d.invalid()].map(([ch, n]) => `simpul_hub_messages_invalid_total{channel="${label(ch)}"} ${n}`),
      '# HELP simpul_hub_process_records_stored_total Records this hub process stored since it started, per type.',
      '# TYPE simpul_hub_process_records_stored_total counter',
      ...[...d.storedHere()].map(([type, n]) => `simpul_hub_process_records_stored_total{type="${label(type)}"} ${n}`),
      '# HELP simpul_hub_box_last_seen_timestamp_seconds When the box last sent anything.',
      '# TYPE simpul_hub_box_last_seen_timestamp_seconds gauge',
      ...devices.filter((x) => x.lastSeenAt).map((x) => `simpul_hub_box_last_seen_timestamp_seconds{device="${label(x.id)}"} ${Date.parse(x.lastSeenAt!) / 1000}`),
      '# HELP simpul_hub_box_outbox_pending Backlog the box last reported.',
      '# TYPE simpul_hub_box_outbox_pending gauge',
      ...devices.filter((x) => x.lastStatus).map((x) => `simpul_hub_box_outbox_pending{device="${label(x.id)}"} ${Number((x.lastStatus as { pending?: number }).pending ?? 0)}`),
      '# HELP simpul_hub_downlink_pending Messages waiting for the box to acknowledge.',
      '# TYPE simpul_hub_downlink_pending gauge',
      ...pending.rows.map((r) => `simpul_hub_downlink_pending{device="${label(r.device_id)}"} ${r.n}`),
    ];
    return c.text(out.join('\n') + '\n', 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  handle('GET', '/admin/referrals', async (c) => {
    const { rows } = await d.db.query<{ device_id: string; entity_id: string; version: number; payload: Record<string, any> }>(
      `SELECT device_id, entity_id, version, payload FROM entity_state WHERE type = 'referral' ORDER BY updated_at DESC LIMIT 200`,
    );
    const waiting = new Set((await pendingDownlink(d.db)).filter((p) => p.kind === 'referral_answer').map((p) => (p.body as { referralId: string }).referralId));
    const body = rows
      .map((r) => {
        const p = r.payload;
        return `<tr><td>${esc(p.patient?.name)}<br><small>${esc(r.device_id)}</small></td><td>${esc(p.hospital?.name)} · ${esc(p.specialty)}<br>${esc(p.diagnosis?.code)} ${esc(p.diagnosis?.name)}${p.emergency ? ' <b class="warn">GAWAT DARURAT</b>' : ''}</td>
<td>${esc(p.status)} (v${r.version})${waiting.has(r.entity_id) ? '<br><i>answer waiting for the box</i>' : ''}</td>
<td><form method="post" action="/admin/referrals/${esc(r.entity_id)}/answer"><select name="status"><option>accepted</option><option>scheduled</option><option>rejected</option><option>sent</option><option>used</option></select>
<input type="date" name="scheduledFor"><input name="note" placeholder="catatan / alasan" maxlength="1000"><button>Answer</button></form></td></tr>`;
      })
      .join('');
    return c.html(page('Referrals at the hub', `<p><a href="/">← boxes</a></p><table><tr><th>patient</th><th>to</th><th>status</th><th>answer as the hospital</th></tr>${body || '<tr><td colspan="4">no referral received yet</td></tr>'}</table>`));
  });

  handle('POST', '/admin/referrals/:id/answer', async (c) => {
    const isJson = (c.req.header('content-type') ?? '').includes('application/json');
    const raw = isJson ? await c.req.json().catch(() => ({})) : Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    const answer = Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([k, v]) => ['status', 'scheduledFor', 'note'].includes(k) && v !== ''));
    try {
      const r = await answerReferral(d.db, c.req.param('id') ?? '', answer as never);
      d.onAnswered(r.deviceId);
      return isJson ? c.json(r, 201) : c.redirect('/admin/referrals', 303);
    } catch (e) {
      if (e instanceof DownlinkError) return c.json({ error: { code: e.code, message: e.message, details: {} } }, e.code === 'not_found' ? 404 : 400);
      throw e;
    }
  });

  // The district formulary for every box (or `devices`), as JSON: { items: [...], devices?: [...] }.
  handle('POST', '/admin/formulary', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { items?: unknown; devices?: unknown } | null;
    if (!body || typeof body !== 'object') return c.json({ error: { code: 'invalid', message: 'expected a JSON body { "items": [...] }', details: {} } }, 400);
    if (body.devices !== undefined && !(Array.isArray(body.devices) && body.devices.every((x) => typeof x === 'string'))) {
      return c.json({ error: { code: 'invalid', message: 'devices: expected a list of device ids', details: {} } }, 400);
    }
    try {
      const r = await publishFormulary(d.db, body.items, body.devices as string[] | undefined);
      for (const deviceId of r.devices) d.onAnswered(deviceId);
      return c.json(r, 201);
    } catch (e) {
      if (e instanceof DownlinkError) return c.json({ error: { code: e.code, message: e.message, details: {} } }, e.code === 'not_found' ? 404 : 400);
      throw e;
    }
  });

  for (const r of hubRouteTable) {
    const h = handlers.get(`${r.method} ${r.path}`);
    if (!h) throw new Error(`hub route ${r.method} ${r.path} is in the access table but has no handler`);
    handlers.delete(`${r.method} ${r.path}`);
    app.on(r.method, r.path, guard(r), h);
  }
  if (handlers.size) throw new Error(`hub routes without an access rule: ${[...handlers.keys()].join(', ')}`);
  // An address nobody serves tells a stranger nothing: credentials first, then 404.
  app.notFound(async (c) => {
    const check = await checkCredentials(c.req.header('authorization'), d.adminToken);
    return check.ok ? hubError(c, 'route_not_found') : refusal(c, check);
  });
  app.onError((_err, c) => hubError(c, 'internal'));

  return app;
}

export async function deviceOverview(db: HubDb) {
  const devices = await listDevices(db);
  const counts = await db.query<{ device_id: string; type: string; n: number }>(`SELECT device_id, type, count(*)::int AS n FROM records GROUP BY 1, 2`);
  const pending = await db.query<{ device_id: string; n: number }>(`SELECT device_id, count(*)::int AS n FROM downlink WHERE acked_at IS NULL GROUP BY 1`);
  return devices.map((x) => ({
    ...x,
    recordsByType: Object.fromEntries(counts.rows.filter((r) => r.device_id === x.id).map((r) => [r.type, r.n])),
    downlinkPending: pending.rows.find((r) => r.device_id === x.id)?.n ?? 0,
  }));
}
