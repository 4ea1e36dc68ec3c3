/**
 * The fleet's JSON routes (helper fleetdata): box list and counts by region, a box's history, a
 * region's chart, the region list imports, alerts and silences, and the dead-man's-switch. Who may
 * use each is in access.ts's table. Inputs are checked here with zod; handlers read through
 * fleet-state/, history/ and alerts/, and every one through the caller's RegionFilter (set by the
 * guard from the session): a box outside the region answers 404, a list is cut to the region, a
 * silence aimed at a region outside it is refused 403.
 */
import type { Context, Handler } from 'hono';
import type { HubEnv } from './hub-env.ts';
import { z } from 'zod';
import type { AlertEngine } from '../alerts/engine.ts';
import { silenceRequest } from '../alerts/engine.ts';
import { boxListQuery, countsByRegion, listBoxes } from '../fleet-state/box-list.ts';
import type { FleetState } from '../fleet-state/fleet-state.ts';
import { importFacilityRegionsCsv, importRegionsCsv } from '../fleet-state/regions.ts';
import { boxHistory, regionChart } from '../history/history.ts';
import type { HubDb } from '../storage/db.ts';
import { scopeSql } from '../operators/scope.ts';
import { checkInput, hubError, requestLang, validationFailed } from './errors.ts';
import { hubWords } from './words.ts';
import { streamSSE } from 'hono/streaming';
import { boxDetail } from '../fleet-state/box-detail.ts';
import { fleetOverview } from '../fleet-state/overview.ts';
import { jobsOfBox } from '../jobs/jobs.ts';
import { FleetLiveHub } from './fleet-live.ts';
import { boxLiveOf, overviewLiveOf, withReasonText } from './fleet-views.ts';
import { FleetBoxPage } from './pages/fleet-box.tsx';
import { FleetOverviewPage } from './pages/fleet-overview.tsx';
import { hubAsset } from './pages/hub-assets.ts';
import { sendPage } from './pages/layout.tsx';

export interface FleetRouteDeps {
  db: HubDb;
  fleet: FleetState;
  alerts: AlertEngine;
  /** How often a live page gets fresh figures even when no box changed state (alerts, counts of reports). Default 30 s; 0: only on changes. */
  liveEveryMs?: number;
  /** Live pages open at once, in the whole hub (each holds a connection and recomputes its region on every change). Default 500. */
  maxLiveStreams?: number;
}

const region = z.string().regex(/^([0-9]{2}){0,2}$/);
const deviceIdParam = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/) }).strict();
const historyQuery = z
  .object({
    hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 730)
      .default(48),
  })
  .strict();
const chartQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(90) }).strict();
const regionParam = z.object({ code: region }).strict();
const regionQuery = z.object({ region: region.default('') }).strict();
const alertsQuery = z.object({ state: z.enum(['firing', 'resolved']).optional(), region: region.default('') }).strict();
const pageRegionQuery = z.object({ region: region.default(''), lang: z.string().optional() }).strict();
/** The box list's filters, and the language its reasons are worded in. */
const boxListRouteQuery = boxListQuery.extend({ lang: z.string().optional() });
const pageQuery = z.object({ lang: z.string().optional() }).strict();
/** One live stream: a region's overview or one box. */
const eventsQuery = z.union([z.object({ region, lang: z.string().optional() }).strict(), z.object({ box: deviceIdParam.shape.id, lang: z.string().optional() }).strict()]);
const MAX_CSV_BYTES = 2 * 1024 * 1024;

async function csvBody(c: Context): Promise<string | null> {
  if (!(c.req.header('content-type') ?? '').startsWith('text/csv')) return null;
  const text = await c.req.text();
  return text.length <= MAX_CSV_BYTES ? text : null;
}

export function fleetHandlers(d: FleetRouteDeps): { method: 'GET' | 'POST'; path: string; handler: Handler<HubEnv> }[] {
  const csvImport =
    (fn: typeof importRegionsCsv): Handler<HubEnv> =>
    async (c) => {
      const csv = await csvBody(c);
      if (csv == null) return hubError(c, 'invalid', { expected: 'text/csv, at most 2 MB' });
      const r = await fn(d.db, csv);
      return r.errors.length ? hubError(c, 'invalid', { errors: r.errors.slice(0, 50) }) : c.json(r, 201);
    };
  return [
    {
      method: 'GET',
      path: '/api/fleet/boxes',
      handler: async (c) => {
        const q = checkInput(c, boxListRouteQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const { lang: _, ...filters } = q.data;
        const region = c.get('region').narrow(filters.region);
        if (region === null) return c.json({ total: 0, boxes: [] });
        const list = await listBoxes(d.db, { ...filters, region });
        const lang = requestLang(c);
        return c.json({ ...list, boxes: list.boxes.map((b) => withReasonText(b, lang)) });
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/regions',
      handler: async (c) => {
        const q = checkInput(c, regionQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const region = c.get('region').narrow(q.data.region);
        return c.json({ regions: region === null ? [] : await countsByRegion(d.db, region) });
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/boxes/:id/history',
      handler: async (c) => {
        const p = checkInput(c, deviceIdParam, { id: c.req.param('id') });
        if (!p.success) return validationFailed(c, p.error);
        const q = checkInput(c, historyQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        if (!(await c.get('region').box(d.db, p.data.id))) return hubError(c, 'not_found', { reason: `no box ${p.data.id} here` });
        const now = d.fleet.now().getTime();
        return c.json(await boxHistory(d.db, p.data.id, now - q.data.hours * 3_600_000, now, now));
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/regions/:code/chart',
      handler: async (c) => {
        const p = checkInput(c, regionParam, { code: c.req.param('code') });
        if (!p.success) return validationFailed(c, p.error);
        const q = checkInput(c, chartQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        // A wider region's sums would show boxes outside the caller's: as if it did not exist.
        if (!c.get('region').covers(p.data.code)) return hubError(c, 'not_found', { reason: `no region ${p.data.code} here` });
        const now = d.fleet.now().getTime();
        return c.json({ region: p.data.code, points: await regionChart(d.db, p.data.code, now - q.data.days * 86_400_000, now) });
      },
    },
    { method: 'POST', path: '/api/fleet/regions', handler: csvImport(importRegionsCsv) },
    { method: 'POST', path: '/api/fleet/facilities', handler: csvImport(importFacilityRegionsCsv) },
    {
      method: 'GET',
      path: '/api/alerts',
      handler: async (c) => {
        const q = checkInput(c, alertsQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const filter = c.get('region');
        const region = filter.narrow(q.data.region);
        if (region === null) return c.json({ alerts: [], silences: [] });
        const silences = await d.alerts.listSilences();
        const inside = await boxesInRegion(
          d.db,
          silences.flatMap((s) => (s.deviceId ? [s.deviceId] : [])),
          filter.scope,
        );
        return c.json({
          alerts: await d.alerts.list({ ...q.data, region }),
          silences: silences.filter((s) => (s.deviceId ? inside.has(s.deviceId) : filter.covers(s.region))),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/alerts/silences',
      handler: async (c) => {
        const b = checkInput(c, silenceRequest, await c.req.json().catch(() => undefined));
        if (!b.success) return validationFailed(c, b.error);
        const filter = c.get('region');
        // No region given: the caller's own (a district's silence never reaches past it).
        const region = b.data.region || filter.scope;
        if (!filter.covers(region)) {
          const why = hubWords[requestLang(c)].outsideRegion(region, filter.scope);
          return hubError(c, 'outside_region', { region, yours: filter.scope }, why);
        }
        if (b.data.deviceId && !(await filter.box(d.db, b.data.deviceId))) return hubError(c, 'not_found', { reason: `no box ${b.data.deviceId} here` });
        return c.json(await d.alerts.silence({ ...b.data, region }, c.get('principal').actor), 201);
      },
    },
    ...consoleHandlers(d),
    {
      // The dead-man's switch: an outside monitor polls this and pages when it stops answering 200.
      method: 'GET',
      path: '/watchdog',
      handler: async (c) => {
        const now = d.fleet.now().getTime();
        const evaluated = d.alerts.lastEvaluationAt?.getTime() ?? null;
        const lastReport = d.fleet.lastReportAt?.getTime() ?? null;
        const { rows } = await d.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM box_state WHERE state = 'online'`);
        // Alive: the database answers, alerts were evaluated lately, and reports arrive (or no box is online to send them).
        const alertsAlive = evaluated != null && now - evaluated < 5 * 60_000;
        const receiving = rows[0].n === 0 || (lastReport != null && now - lastReport < 5 * 60_000);
        const ok = alertsAlive && receiving;
        return c.json(
          { ok, alertsEvaluatedAt: evaluated && new Date(evaluated).toISOString(), lastReportAt: lastReport && new Date(lastReport).toISOString(), online: rows[0].n },
          ok ? 200 : 503,
        );
      },
    },
  ];
}

/** Which of `ids` are boxes inside `scope`. */
async function boxesInRegion(db: HubDb, ids: string[], scope: string): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM devices WHERE id = ANY($1::text[]) AND ${scopeSql('region_code', '$2')}`, [ids, scope]);
  return new Set(rows.map((r) => r.id));
}

/** The region an overview asks for, cut to the caller's: its own when none or wider, null when outside. */
function overviewRegion(c: Context<HubEnv>, wanted: string): string | null {
  return c.get('region').narrow(wanted);
}

async function firingOf(db: HubDb, deviceId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE state = 'firing' AND subject = $1`, [deviceId]);
  return rows[0].n;
}

/** The console's pages (overview, box detail), their JSON, their live stream and their assets. */
function consoleHandlers(d: FleetRouteDeps): { method: 'GET' | 'POST'; path: string; handler: Handler<HubEnv> }[] {
  const live = new FleetLiveHub(d.fleet, d.liveEveryMs ?? 30_000, d.maxLiveStreams ?? 500);
  const boxOf = async (c: Context<HubEnv>, id: string) => ((await c.get('region').box(d.db, id)) ? boxDetail(d.db, id) : null);
  return [
    {
      method: 'GET',
      path: '/fleet',
      handler: async (c) => {
        const q = checkInput(c, pageRegionQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const region = overviewRegion(c, q.data.region);
        if (region === null) return hubError(c, 'not_found', { reason: `no region ${q.data.region} here` });
        const lang = requestLang(c);
        return sendPage(c, lang, FleetOverviewPage({ lang, who: c.get('principal'), overview: await fleetOverview(d.db, region) }), { scripts: true });
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/overview',
      handler: async (c) => {
        const q = checkInput(c, pageRegionQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const region = overviewRegion(c, q.data.region);
        if (region === null) return hubError(c, 'not_found', { reason: `no region ${q.data.region} here` });
        const o = await fleetOverview(d.db, region);
        const lang = requestLang(c);
        return c.json({ ...o, boxes: o.boxes.map((b) => withReasonText(b, lang)) });
      },
    },
    {
      method: 'GET',
      path: '/fleet/boxes/:id',
      handler: async (c) => {
        const p = checkInput(c, deviceIdParam, { id: c.req.param('id') });
        if (!p.success) return validationFailed(c, p.error);
        const q = checkInput(c, pageQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const box = await boxOf(c, p.data.id);
        if (!box) return hubError(c, 'not_found', { reason: `no box ${p.data.id} here` });
        const lang = requestLang(c);
        const [alerts, jobs] = await Promise.all([d.alerts.list({ subject: box.id, limit: 50 }), jobsOfBox(d.db, box.id)]);
        return sendPage(c, lang, FleetBoxPage({ lang, who: c.get('principal'), box, alerts, jobs, nowMs: d.fleet.now().getTime() }), { scripts: true });
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/boxes/:id',
      handler: async (c) => {
        const p = checkInput(c, deviceIdParam, { id: c.req.param('id') });
        if (!p.success) return validationFailed(c, p.error);
        const box = await boxOf(c, p.data.id);
        if (!box) return hubError(c, 'not_found', { reason: `no box ${p.data.id} here` });
        const [alerts, jobs] = await Promise.all([d.alerts.list({ subject: box.id, limit: 50 }), jobsOfBox(d.db, box.id)]);
        return c.json({ ...withReasonText(box, requestLang(c)), alerts, jobs });
      },
    },
    {
      // Server-sent events: a region's overview (`?region=`) or one box (`?box=`), scoped as the pages are.
      method: 'GET',
      path: '/api/fleet/events',
      handler: async (c) => {
        const q = checkInput(c, eventsQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        const lang = requestLang(c);
        let snapshot: () => Promise<{ event: string; data: unknown }>;
        let boxId: string | null = null;
        if ('box' in q.data) {
          const id = q.data.box;
          if (!(await boxOf(c, id))) return hubError(c, 'not_found', { reason: `no box ${id} here` });
          boxId = id;
          snapshot = async () => {
            const box = await boxDetail(d.db, id);
            return { event: 'box', data: box && boxLiveOf(box, await firingOf(d.db, id), lang, d.fleet.now().getTime()) };
          };
        } else {
          const region = overviewRegion(c, q.data.region);
          if (region === null) return hubError(c, 'not_found', { reason: `no region ${q.data.region} here` });
          snapshot = async () => ({ event: 'overview', data: overviewLiveOf(await fleetOverview(d.db, region), lang) });
        }
        if (!live.admit()) return hubError(c, 'throttled', { reason: 'too many live pages open at the hub; the page still works when reloaded' });
        return streamSSE(c, async (stream) => {
          // A change while a snapshot is being sent is sent once more after it: changes coalesce, none is lost.
          let sending = false;
          let again = false;
          const send = async () => {
            if (sending) return void (again = true);
            sending = true;
            try {
              do {
                again = false;
                const s = await snapshot();
                if (!stream.aborted && !stream.closed) await stream.writeSSE({ event: s.event, data: JSON.stringify(s.data) });
              } while (again && !stream.aborted);
            } finally {
              sending = false;
            }
          };
          const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
          const leave = live.join({ box: boxId, push: () => void send().catch(() => stream.abort()) });
          try {
            await send();
            await closed;
          } finally {
            leave();
          }
        });
      },
    },
    {
      method: 'GET',
      path: '/assets/:file',
      handler: async (c) => {
        const a = hubAsset(c.req.param('file') ?? '');
        if (!a) return hubError(c, 'not_found');
        const etag = `"${a.version}"`;
        const headers = {
          'content-type': a.type,
          etag,
          'cache-control': c.req.query('v') === a.version ? 'private, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
          vary: 'accept-encoding',
        };
        if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
        if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(a.gzip, 200, { ...headers, 'content-encoding': 'gzip' });
        return c.body(a.body, 200, headers);
      },
    },
  ];
}
