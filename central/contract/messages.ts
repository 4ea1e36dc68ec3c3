/**
 * The messages of the sync protocol, version 1. Schemas are the types: both ends validate every
 * inbound message with these and use the inferred types. A new field is added as optional within
 * v1; anything else is v2 (a new literal, accepted beside v1 for as long as boxes send it).
 * Transport only: what a record's payload holds is records.ts's business.
 */
import { z } from 'zod';
import { MAX_BATCH_RECORDS, MAX_DOWNLINK_ITEMS, MAX_ENTITY_VERSION, MAX_FORMULARY_ITEMS, MAX_HOSPITAL_ITEMS } from './limits.ts';
import { storableText, storableTime } from './storable.ts';
import { boxStatusV2 } from './status-v2.ts';

const seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const isoTime = storableTime();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const batchId = z.string().min(1).max(64);
const reason = storableText().max(500);

/**
 * One outbox row on the wire: one version of one entity. The hub's idempotency key is
 * (device, type, entity, ev): a redelivered version is stored once, and no random per-row id
 * travels (measured: a UUID per record was 24 of ~150 bytes after compression).
 * Short keys: they are in every record (measured: −6% bytes after deflate).
 */
export const wireRecord = z
  .object({
    /** The box's own order (outbox.seq); the hub's acknowledgement names records by it. */
    seq,
    type: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
    /** Payload schema version. */
    sv: z.number().int().min(1).max(1000),
    /** The entity this is a version of (a referral's id, `day|poli` for daily figures). */
    entity: storableText().min(1).max(200),
    /** The entity's version: an older one never overwrites a newer one at the hub. */
    ev: z.number().int().min(1).max(MAX_ENTITY_VERSION),
    at: isoTime,
    payload: z.unknown(),
    /** Written while the box's clock was not trusted (earlier than its floor): `at` may be wrong. Absent otherwise. */
    ut: z.literal(true).optional(),
  })
  .strict();
export type WireRecord = z.infer<typeof wireRecord>;

/**
 * A batch as received: the envelope is checked here, each record only by its seq. The rest of a
 * record is checked one record at a time (records.ts checkRecord), so one bad record is a
 * rejection the box parks, not a batch refused whole and sent again forever.
 */
export const recordBatch = z
  .object({ v: z.literal(1), kind: z.literal('records'), batch: batchId, records: z.array(z.looseObject({ seq })).min(1).max(MAX_BATCH_RECORDS) })
  .strict();
export type ReceivedBatch = z.infer<typeof recordBatch>;
export type ReceivedRecord = ReceivedBatch['records'][number];
/** A batch as a box sends it. */
export type RecordBatch = Omit<ReceivedBatch, 'records'> & { records: WireRecord[] };

/** Sent by the hub after the batch's transaction is durably committed, never before. */
export const uplinkAck = z
  .object({
    v: z.literal(1),
    kind: z.literal('ack'),
    batch: batchId,
    /** Stored now or already before (a redelivery): the box marks these delivered. */
    stored: z.array(seq).max(MAX_BATCH_RECORDS),
    /** Invalid records: the box parks them with the reason; they are never resent by themselves. */
    rejected: z.array(z.object({ seq, reason }).strict()).max(MAX_BATCH_RECORDS),
  })
  .strict();
export type UplinkAck = z.infer<typeof uplinkAck>;

export const boxStatusV1 = z
  .object({
    v: z.literal(1),
    kind: z.literal('status'),
    at: isoTime,
    /** First status after a connect: the hub sends the box's pending downlink. */
    hello: z.boolean(),
    pending: z.number().int().min(0),
    parked: z.number().int().min(0),
    bytesPending: z.number().int().min(0),
    oldestPendingAgeSeconds: z.number().min(0).nullable(),
    lastSyncAt: isoTime.nullable(),
    lastError: storableText().max(500).nullable(),
  })
  .strict();
export type BoxStatusV1 = z.infer<typeof boxStatusV1>;
/** v1 boxes are still accepted beside v2 (status-v2.ts). */
export const boxStatus = z.discriminatedUnion('v', [boxStatusV1, boxStatusV2]);
export type BoxStatus = z.infer<typeof boxStatus>;

export const referralAnswer = z
  .object({
    status: z.enum(['sent', 'accepted', 'scheduled', 'rejected', 'used']),
    scheduledFor: isoDate.optional(),
    note: storableText().max(1000).optional(),
  })
  .strict()
  .refine((a) => a.status !== 'scheduled' || a.scheduledFor, { message: 'a scheduled answer needs scheduledFor', path: ['scheduledFor'] });
export type ReferralAnswer = z.infer<typeof referralAnswer>;

/** One medicine of the district's formulary; the box matches by KFA code (Kamus Farmasi dan Alat Kesehatan). */
export const formularyEntry = z
  .object({
    kfaCode: z.string().regex(/^[0-9A-Za-z.-]{1,20}$/),
    name: storableText().min(1).max(200),
    strength: storableText().max(60),
    form: storableText().min(1).max(40),
    unit: storableText().min(1).max(20),
    /** false: no longer prescribed (kept for the records that name it). */
    active: z.boolean(),
  })
  .strict();
export type FormularyEntry = z.infer<typeof formularyEntry>;

/** One referral hospital (FKRTL) of the district's list, by its BPJS facility code. */
export const hospitalEntry = z
  .object({
    code: z.string().regex(/^[0-9A-Z]{4,12}$/),
    name: storableText().min(2).max(120),
    specialties: z.array(storableText().min(2).max(60)).max(60),
    /** Takes emergency referrals (a stroke, an obstetric emergency) directly. */
    acceptsEmergency: z.boolean(),
  })
  .strict();
export type HospitalEntry = z.infer<typeof hospitalEntry>;

/**
 * What a remote job asks a box to do (an operator at the hub, central/jobs/). The box reports
 * back through its outbox as `job_result` records (records.ts). A night window is "HH:MM-HH:MM"
 * (the box checks it again with its own setting's rules); null clears it.
 */
export const jobAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('backup') }).strict(),
  z.object({ action: z.literal('restart_relay') }).strict(),
  z.object({ action: z.literal('diagnostics') }).strict(),
  z
    .object({
      action: z.literal('sync_settings'),
      /** Upload cap in kbit/s; 0: none. */
      bandwidthKbps: z.number().min(0).max(1_000_000).optional(),
      nightWindow: z
        .string()
        .regex(/^\d\d:\d\d-\d\d:\d\d$/)
        .nullable()
        .optional(),
    })
    .strict()
    .refine((a) => a.bandwidthKbps !== undefined || a.nightWindow !== undefined, { message: 'change at least one setting' }),
]);
export type JobAction = z.infer<typeof jobAction>;

/**
 * The release a rollout assigns to this box (central/releases/): the box writes it as the file
 * firmware-scripts/fetch-release.sh reads, which downloads it from `url` (the hub's release route,
 * authenticated as the box) within the box's night window and bandwidth cap, checks `sha256` and
 * hands it to update.sh (which checks the signature). `assignment` grows with every assignment the
 * hub makes: a box refuses one lower than the one it holds (a late item never sends it back).
 */
export const releaseAssignment = z
  .object({
    id: z.uuid(),
    kind: z.literal('release'),
    assignment: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    rollout: z.uuid(),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/),
    url: z.url({ protocol: /^https?$/ }).max(500),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z
      .number()
      .int()
      .min(1)
      .max(2 ** 40),
    /**
     * The box's key for this download (32 random bytes, base64url), sent as `Authorization:
     * Bearer`: a box enrolled with a claim code has a certificate but no secret. It comes over
     * the box's own authenticated link (the durable downlink); the hub finds the box by its sha256. Absent from older hubs.
     */
    downloadKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .optional(),
  })
  .strict();
export type ReleaseAssignment = z.infer<typeof releaseAssignment>;

/**
 * The hub takes back an assignment the box has not acted on (its rollout halted): the box removes
 * its assignment file if it still holds assignment `withdraws`, so fetch-release.sh fetches nothing.
 * `assignment` is a newer number of the same growing sequence; the hub's release route refuses
 * the withdrawn download from then on. A later resume sends a fresh assignment, numbered higher.
 */
export const releaseWithdrawal = z
  .object({
    id: z.uuid(),
    kind: z.literal('release_withdrawal'),
    assignment: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    withdraws: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    rollout: z.uuid(),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/),
  })
  .strict();
export type ReleaseWithdrawal = z.infer<typeof releaseWithdrawal>;

export const downlinkItem = z.discriminatedUnion('kind', [
  z
    .object({
      id: z.uuid(),
      kind: z.literal('referral_answer'),
      referralId: z.uuid(),
      /** The referral version the hospital saw. */
      referralVersion: z.number().int().min(1),
      answer: referralAnswer,
    })
    .strict(),
  /**
   * The district's formulary, whole, numbered: a box applies a version once and refuses one older
   * than what it has (an update that arrives late never rolls a newer list back).
   */
  z
    .object({
      id: z.uuid(),
      kind: z.literal('formulary'),
      version: z.number().int().min(1),
      items: z.array(formularyEntry).min(1).max(MAX_FORMULARY_ITEMS),
    })
    .strict(),
  /**
   * The district's referral hospitals, whole and numbered like the formulary: the list replaces the
   * box's, a version is applied once, an older one is refused.
   */
  z
    .object({
      id: z.uuid(),
      kind: z.literal('hospitals'),
      version: z.number().int().min(1),
      items: z.array(hospitalEntry).min(1).max(MAX_HOSPITAL_ITEMS),
    })
    .strict(),
  /** Asks the box to send again every record from this outbox seq on (e.g. after a hub restore). */
  z.object({ id: z.uuid(), kind: z.literal('resend'), fromSeq: seq }).strict(),
  /** A remote job (one box's share of it): run once, unless the box's clock says it expired. */
  z.object({ id: z.uuid(), kind: z.literal('job'), job: z.uuid(), expiresAt: isoTime, action: jobAction }).strict(),
  releaseAssignment,
  releaseWithdrawal,
]);
export type DownlinkItem = z.infer<typeof downlinkItem>;

export const downlinkBatch = z.object({ v: z.literal(1), kind: z.literal('down'), items: z.array(downlinkItem).min(1).max(MAX_DOWNLINK_ITEMS) }).strict();
export type DownlinkBatch = z.infer<typeof downlinkBatch>;

/**
 * A downlink batch as a box reads it: each item is checked on its own against `downlinkItem`, so an
 * item that a newer hub sends and this box does not know (or cannot read) is refused alone,
 * acknowledged as rejected so the hub stops resending it, and the rest of the batch is applied.
 */
export const downlinkEnvelope = z
  .object({
    v: z.literal(1),
    kind: z.literal('down'),
    items: z
      .array(z.object({ id: z.uuid(), kind: z.string().min(1).max(64) }).loose())
      .min(1)
      .max(MAX_DOWNLINK_ITEMS),
  })
  .strict();

/** `rejected`: the box will never apply it (e.g. unknown referral); the hub stops resending. */
export const downlinkAck = z
  .object({
    v: z.literal(1),
    kind: z.literal('down_ack'),
    results: z
      .array(z.object({ id: z.uuid(), outcome: z.enum(['applied', 'rejected']), reason: reason.optional() }).strict())
      .min(1)
      .max(MAX_DOWNLINK_ITEMS),
  })
  .strict();
export type DownlinkAck = z.infer<typeof downlinkAck>;

/** box → hub: the box's system clock when it sent this; the hub answers at once with its own. */
export const timeRequest = z.object({ v: z.literal(1), kind: z.literal('time_request'), at: isoTime }).strict();
export type TimeRequest = z.infer<typeof timeRequest>;

/** hub → box: `hubAt` read as the request was handled; `requestAt` echoes the request (which one this answers). */
export const timeAnswer = z.object({ v: z.literal(1), kind: z.literal('time'), requestAt: isoTime, hubAt: isoTime }).strict();
export type TimeAnswer = z.infer<typeof timeAnswer>;

/** Which schema a message on a channel must satisfy. */
export const channelSchemas = {
  records: recordBatch,
  status: boxStatus,
  'down-ack': downlinkAck,
  ack: uplinkAck,
  down: downlinkEnvelope,
  'time-request': timeRequest,
  time: timeAnswer,
} as const;
