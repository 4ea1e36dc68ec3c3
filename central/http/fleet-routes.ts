/**
 * The fleet's JSON routes (helper fleetdata): box list and counts by region, a box's history, a
 * region's chart, the region list imports, alerts and silences, and the dead-man's-switch. Who may
 * use each is in access.ts's table (fleetRouteTable). Inputs are checked here with zod; handlers
 * read through fleet-state/, history/ and alerts/.
 */
import type { Context, Handler } from 'hono';
import { z } from 'zod';
import type { AlertEngine } from '../alerts/engine.ts';
import { silenceRequest } from '../alerts/engine.ts';
import { boxListQuery, countsByRegion, listBoxes } from '../fleet-state/box-list.ts';
import type { FleetState } from '../fleet-state/fleet-state.ts';
import { importFacilityRegionsCsv, importRegionsCsv } from '../fleet-state/regions.ts';
import { boxHistory, regionChart } from '../history/history.ts';
import type { HubDb } from '../storage/db.ts';
import { checkInput, hubError, validationFailed } from './errors.ts';

export interface FleetRouteDeps {
  db: HubDb;
  fleet: FleetState;
  alerts: AlertEngine;
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
const MAX_CSV_BYTES = 2 * 1024 * 1024;

async function csvBody(c: Context): Promise<string | null> {
  if (!(c.req.header('content-type') ?? '').startsWith('text/csv')) return null;
  const text = await c.req.text();
  return text.length <= MAX_CSV_BYTES ? text : null;
}

export function fleetHandlers(d: FleetRouteDeps): { method: 'GET' | 'POST'; path: string; handler: Handler }[] {
  const csvImport =
    (fn: typeof importRegionsCsv): Handler =>
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
        const q = checkInput(c, boxListQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        return c.json(await listBoxes(d.db, q.data));
      },
    },
    {
      method: 'GET',
      path: '/api/fleet/regions',
      handler: async (c) => {
        const q = checkInput(c, regionQuery, c.req.query());
        if (!q.success) return validationFailed(c, q.error);
        return c.json({ regions: await countsByRegion(d.db, q.data.region) });
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
        return c.json({ alerts: await d.alerts.list(q.data), silences: await d.alerts.listSilences() });
      },
    },
    {
      method: 'POST',
      path: '/api/alerts/silences',
      handler: async (c) => {
        const b = checkInput(c, silenceRequest, await c.req.json().catch(() => undefined));
        if (!b.success) return validationFailed(c, b.error);
        // Who: the operator's name once operator accounts exist (helper operators); the token until then.
        return c.json(await d.alerts.silence(b.data, 'admin'), 201);
      },
    },
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
