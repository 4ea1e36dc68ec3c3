/**
 * The hub's HTTP API at its JSON edges: what a request may carry (query, path, body) and what
 * each JSON answer looks like. Bodies are the wire contract's own schemas (a referral answer, a
 * formulary entry), so the hub's API and the MQTT downlink cannot drift apart.
 * test/hub-api.test.ts checks live answers against the answer schemas.
 */
import { z } from 'zod';
import { MAX_FORMULARY_ITEMS, MAX_HOSPITAL_ITEMS, formularyEntry, hospitalEntry, referralAnswer } from '../contract/index.ts';

/** Every route: only `lang`; anything else in the query is ignored, an unknown language too (as on the box). */
export const pageQuery = z.object({ lang: z.enum(['id', 'en']).optional().catch(undefined) });

export const referralIdParam = z.object({ id: z.uuid() });

/**
 * A hospital's answer, from JSON or from the page's form: only status, scheduledFor and note are
 * read, and an empty field (the form sends every field) counts as absent.
 */
export const answerRequest = z.preprocess((v) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(['status', 'scheduledFor', 'note'].filter((k) => o[k] !== undefined && o[k] !== '').map((k) => [k, o[k]]));
}, referralAnswer);

/** Which boxes a list goes to: these boxes and/or the boxes of a region; every enrolled, unrevoked box when neither. */
const listTarget = {
  devices: z.array(z.string().min(1).max(63)).max(10_000).optional(),
  /** BPS code of a province (2 digits) or district (4 digits): the boxes whose region starts with it. */
  region: z
    .string()
    .regex(/^\d{2}(\d{2})?$/)
    .optional(),
};

export const formularyRequest = z.object({ items: z.array(formularyEntry).min(1).max(MAX_FORMULARY_ITEMS), ...listTarget });

export const hospitalsRequest = z.object({ items: z.array(hospitalEntry).min(1).max(MAX_HOSPITAL_ITEMS), ...listTarget });

// Answers

export const healthResponse = z.object({ ok: z.literal(true) });

/** What the box last reported (the contract's status message), read leniently: a page must show an older box's status too. */
export const reportedStatus = z.looseObject({
  pending: z.number().optional(),
  parked: z.number().optional(),
  oldestPendingAgeSeconds: z.number().nullable().optional(),
  lastSyncAt: z.string().nullable().optional(),
  lastError: z.string().nullable().optional(),
});

export const deviceOverviewItem = z.object({
  id: z.string(),
  facilityCode: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  lastStatus: z.record(z.string(), z.unknown()).nullable(),
  /** Records stored at the hub, per record type. */
  recordsByType: z.record(z.string(), z.number().int().min(0)),
  /** Downlink items the box has not acknowledged yet. */
  downlinkPending: z.number().int().min(0),
});
export const devicesResponse = z.array(deviceOverviewItem);
export type DeviceOverview = z.infer<typeof deviceOverviewItem>;

export const answerResponse = z.object({ id: z.uuid(), deviceId: z.string(), referralVersion: z.number().int().min(1) });

export const formularyResponse = z.object({ version: z.number().int().min(1), devices: z.array(z.string()) });

export const hubErrorCodes = [
  'unauthenticated',
  'forbidden',
  'csrf',
  'route_not_found',
  'validation_failed',
  'invalid',
  'not_found',
  'internal',
  'claim_unknown',
  'claim_used',
  'claim_expired',
  'claim_wrong_facility',
  'csr_invalid',
  'throttled',
  'range_not_satisfiable',
  'outside_region',
] as const;
export type HubErrorCode = (typeof hubErrorCodes)[number];

/** The project's one error shape. */
export const errorResponse = z.object({
  error: z.object({ code: z.enum(hubErrorCodes), message: z.string().min(1), details: z.record(z.string(), z.unknown()) }),
});

/** A referral as the hub's page reads it from the box's record (every field optional: it shows what is there). */
export const referralView = z.looseObject({
  status: z.string().optional().catch(undefined),
  emergency: z.boolean().optional().catch(undefined),
  specialty: z.string().nullish().catch(undefined),
  reason: z.string().nullish().catch(undefined),
  patient: z.looseObject({ name: z.string().nullish() }).nullish().catch(undefined),
  hospital: z.looseObject({ name: z.string().nullish() }).nullish().catch(undefined),
  diagnosis: z.looseObject({ code: z.string().nullish(), name: z.string().nullish() }).nullish().catch(undefined),
});
export type ReferralView = z.infer<typeof referralView>;
