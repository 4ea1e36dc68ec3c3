/**
 * What the fleet console's live updates carry (server-sent events from /api/fleet/events) and the
 * history the box page charts: zod schemas, whose types the browser code imports (types only: zod
 * never reaches the browser). Words come formatted by the server in the page's language, so the
 * browser only puts text where the page marked it.
 */
import { z } from 'zod';

const state = z.enum(['online', 'stale', 'offline', 'never_seen', 'revoked']);

export const overviewLive = z.object({
  region: z.string(),
  /** `<child region>:<state>` and `total:<state>`, `<child region>:total` and `total:total` → boxes. */
  counts: z.record(z.string(), z.number().int().min(0)),
  alertsFiring: z.string(),
  /** The child regions with boxes, in the page's order: a region that got its first box is added as a row. */
  regions: z.array(z.object({ code: z.string(), label: z.string() })),
  /** A district's boxes, in the page's order: a box enrolled since the page loaded is added as a row. */
  boxes: z.array(z.object({ id: z.string(), facility: z.string(), state, stateWord: z.string(), reason: z.string(), lastReportAt: z.string() })),
});
export type OverviewLive = z.infer<typeof overviewLive>;

export const boxLive = z.object({
  id: z.string(),
  state,
  stateWord: z.string(),
  reason: z.string(),
  since: z.string(),
  /** The health table's rows by key: the value as shown and whether it needs a look. */
  health: z.array(z.object({ key: z.string(), label: z.string(), value: z.string(), warn: z.boolean() })),
  alertsFiring: z.string(),
});
export type BoxLive = z.infer<typeof boxLive>;

/** GET /api/fleet/boxes/:id/history: the finest resolution kept for the span asked. */
export const historyResponse = z.object({
  resolution: z.enum(['raw', 'hour', 'day']),
  points: z.array(
    z.looseObject({
      t: z.union([z.string(), z.date()]),
      pending: z.number().nullable(),
      parked: z.number().nullable(),
      disk: z.number().nullable(),
      mem: z.number().nullable(),
    }),
  ),
});
export type HistoryResponse = z.infer<typeof historyResponse>;
