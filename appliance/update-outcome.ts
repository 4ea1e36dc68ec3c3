import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The outcome of the last release update, written by firmware-scripts/update.sh (as root) into the
 * box's data dir and reported by the box on /healthz (and from there in its status to the hub):
 * which release was tried, whether it stayed or was rolled back, and why.
 */
export const updateOutcomeSchema = z.object({
  outcome: z.enum(['committed', 'rolled-back', 'interrupted']),
  version: z.string().max(40),
  previous: z.string().max(40).nullable(),
  reason: z.string().max(300).nullable(),
  /** The database was put back from the backup taken before the switch (a migration had run). */
  databaseRestored: z.boolean(),
  at: z.string().max(40),
});
export type UpdateOutcome = z.infer<typeof updateOutcomeSchema>;

export const UPDATE_OUTCOME_FILE = 'update-outcome.json';

/** The last update's outcome, or null when there was none (or the file is unreadable). */
export function readUpdateOutcome(dataDir: string): UpdateOutcome | null {
  try {
    const parsed = updateOutcomeSchema.safeParse(JSON.parse(readFileSync(join(dataDir, UPDATE_OUTCOME_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
