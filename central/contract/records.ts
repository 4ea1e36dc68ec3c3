/**
 * What the hub accepts inside a record, per type and schema version. Loose on purpose: the hub
 * checks what it indexes and what must hold for the record to mean anything (its id matches the
 * entity, its version matches), and keeps the rest as the box wrote it. A record that fails is
 * rejected with the reason and parked on the box; it does not block the records behind it.
 */
import { z } from 'zod';
import { MAX_RECORD_BYTES } from './limits.ts';
import { wireRecord, type ReceivedRecord, type WireRecord } from './messages.ts';
import { findUnstorable } from './storable.ts';

export const recordPayloads = {
  referral: { 1: z.looseObject({ id: z.uuid(), version: z.number().int().min(1), status: z.string().min(1).max(20) }) },
  prescription: { 1: z.looseObject({ id: z.uuid(), version: z.number().int().min(1), status: z.string().min(1).max(20), items: z.array(z.unknown()) }) },
  encounter_summary: { 1: z.looseObject({ id: z.uuid(), patient: z.looseObject({}), diagnoses: z.array(z.looseObject({ code: z.string().max(10) })) }) },
  consent: { 1: z.looseObject({ id: z.uuid(), version: z.number().int().min(1) }) },
  queue_daily_figures: { 1: z.looseObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), poli: z.string().min(1).max(20), taken: z.number().int().min(0) }) },
  /** A remote job's state on the box: version 1 running (or expired, never run), version 2 done or failed; entity = the job's id. */
  job_result: {
    1: z.looseObject({
      id: z.uuid(),
      version: z.number().int().min(1).max(2),
      state: z.enum(['running', 'done', 'failed', 'expired']),
      result: z.record(z.string(), z.unknown()).optional(),
      error: z.string().max(500).optional(),
    }),
  },
  // Two records of one person merged on the box: the entity is the merged (duplicate) record;
  // its visits were sent again as new versions under the kept one.
  patient_merge: { 1: z.looseObject({ id: z.uuid(), version: z.literal(1), keptPatientId: z.uuid(), mergedPatientId: z.uuid() }) },
} as const satisfies Record<string, Record<number, z.ZodType>>;

/** The record types the contract knows. */
export type RecordType = keyof typeof recordPayloads;

/** The schema version a box writes today, per type (the hub may know older ones too). */
export const currentSchemaVersions = {
  referral: 1,
  prescription: 1,
  encounter_summary: 1,
  consent: 1,
  queue_daily_figures: 1,
  job_result: 1,
  patient_merge: 1,
} as const satisfies { [T in RecordType]: keyof (typeof recordPayloads)[T] };

/** What a box may write as the payload of a record of this type, at today's schema version. */
export type RecordPayload<T extends RecordType> = z.input<(typeof recordPayloads)[T][(typeof currentSchemaVersions)[T]]>;

/** Null when the record is acceptable (then it is a WireRecord), else the reason. */
export function checkRecord(received: ReceivedRecord | WireRecord): string | null {
  const wire = wireRecord.safeParse(received);
  if (!wire.success) {
    const i = wire.error.issues[0];
    return `record invalid at ${i.path.join('.') || '(top)'}: ${i.message}`;
  }
  const r = wire.data;
  // Before anything serialises or walks the payload whole: depth first.
  const unstorable = findUnstorable(r.payload);
  if (unstorable) return unstorable;
  const byVersion = (recordPayloads as Record<string, Record<number, z.ZodType>>)[r.type];
  if (!byVersion) return `unknown record type ${r.type}`;
  const schema = byVersion[r.sv];
  if (!schema) return `${r.type} schema version ${r.sv} not supported (hub knows ${Object.keys(byVersion).join(', ')})`;
  const size = JSON.stringify(r.payload ?? null).length;
  if (size > MAX_RECORD_BYTES) return `payload of ${size} bytes over the limit of ${MAX_RECORD_BYTES}`;
  const res = schema.safeParse(r.payload);
  if (!res.success) {
    const i = res.error.issues[0];
    return `${r.type} payload invalid at ${i.path.join('.') || '(top)'}: ${i.message}`;
  }
  const p = r.payload as Record<string, unknown>;
  if (typeof p.id === 'string' && p.id !== r.entity) return `payload id ${p.id} is not the record's entity ${r.entity}`;
  if (typeof p.version === 'number' && p.version !== r.ev) return `payload version ${p.version} is not the record's entity version ${r.ev}`;
  return null;
}
