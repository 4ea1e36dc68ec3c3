/**
 * What the rollout pages poll (GET /api/fleet/rollouts, every 5 s) to keep their progress live: a
 * zod schema the route checks its answer against, whose types the browser code imports (types
 * only: zod never reaches the browser). Words come formatted by the server in the page's language.
 */
import { z } from 'zod';

const count = z.number().int().min(0);

export const rolloutLive = z.object({
  id: z.uuid(),
  version: z.string(),
  state: z.enum(['running', 'halted', 'done']),
  stateWord: z.string(),
  /** "wave 2 of 3", or the halt reason (nation only). */
  summary: z.string(),
  waves: z.array(
    z.object({
      wave: count,
      started: z.boolean(),
      assigned: count,
      updated: count,
      failed: count,
      pending: count,
      withdrawn: count,
      /** The counts as a sentence, or "not started". */
      text: z.string(),
      withdrawnText: z.string(),
    }),
  ),
  /** Boxes of the reader's region whose update of this version rolled back. */
  failedBoxes: z.array(z.string()),
});
export type RolloutLive = z.infer<typeof rolloutLive>;

export const rolloutsLive = z.object({ rollouts: z.array(rolloutLive) });
export type RolloutsLive = z.infer<typeof rolloutsLive>;
