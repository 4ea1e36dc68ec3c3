/**
 * The box's status, version 2: everything an operator of the fleet needs about one box, in one
 * small message (measured: 381 bytes encoded, 680 of JSON, for a report with every field set; appliance/sync/status-report.test.ts).
 * The outbox fields keep v1's names, so a hub reading `pending` or `lastSyncAt` reads both versions.
 * Sizes are bytes, durations seconds unless the name says otherwise; null = the box does not know.
 */
import { z } from 'zod';
import { storableText, storableTime } from './storable.ts';

const isoTime = storableTime();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bytes = count;

/** Events that go at once, ahead of bulk records, rather than with the next periodic report. */
export const STATUS_EVENTS = ['unclean_start', 'storage_corrupt', 'disk_low', 'relay_restart'] as const;
export type StatusEvent = (typeof STATUS_EVENTS)[number];

export const boxStatusV2 = z
  .object({
    v: z.literal(2),
    kind: z.literal('status'),
    at: isoTime,
    hello: z.boolean(),
    // v1's outbox figures, same names.
    pending: count,
    parked: count,
    bytesPending: count,
    oldestPendingAgeSeconds: z.number().min(0).nullable(),
    lastSyncAt: isoTime.nullable(),
    lastError: storableText().max(500).nullable(),
    /** The box's software version (package version or release tag). */
    sw: z.string().regex(/^[0-9A-Za-z.+_-]{1,40}$/),
    /** The machine's boot (Linux boot_id): a new one means the box restarted. */
    bootId: z.string().regex(/^[0-9a-f-]{1,40}$/),
    uptimeS: count,
    /** Starts after an unclean stop (power cut) seen since the data dir was made. */
    uncleanStops: count,
    disk: z.object({ free: bytes, total: bytes }).strict(),
    /** Resident memory of the box process and the relay process (null: relay not running). */
    mem: z.object({ box: bytes, relay: bytes.nullable() }).strict(),
    /** 1-minute load average. */
    load: z.number().min(0).max(10_000),
    dbBytes: bytes.nullable(),
    backup: z.object({ at: isoTime, bytes, ok: z.boolean() }).strict().nullable(),
    /** From the box's clock module (trusted: synchronised or checked against the hub). */
    clock: z.object({ trusted: z.boolean(), offsetMs: z.number().int().min(-1e12).max(1e12).nullable() }).strict(),
    certExpiresAt: isoTime.nullable(),
    /** Consultation relay calls of the box's day, with how many were of good quality. */
    relay: z.object({ calls: count, good: count, restarts: count }).strict().nullable(),
    /** The box's queue today. */
    queue: z.object({ tickets: count, served: count, medianWaitS: count.nullable() }).strict().nullable(),
    storage: z.enum(['ok', 'corrupt', 'disk_low']),
    /**
     * The last release update (firmware-scripts/update.sh's outcome file, appliance/update-outcome.ts):
     * how a rollout at the hub learns that a box committed or rolled back. Absent: no update yet
     * (or a box from before this field).
     */
    update: z
      .object({ outcome: z.enum(['committed', 'rolled-back', 'interrupted']), version: z.string().regex(/^[0-9A-Za-z.+_-]{1,40}$/), at: isoTime })
      .strict()
      .optional(),
    /** Present on an urgent report: what made it urgent. */
    events: z.array(z.enum(STATUS_EVENTS)).max(STATUS_EVENTS.length).optional(),
  })
  .strict();
export type BoxStatusV2 = z.infer<typeof boxStatusV2>;
