import { z } from '@hono/zod-openapi';
import { auditActions } from '../../clinic/audit.ts';
import { dateTime, id, role } from './common.ts';

/** Answers of the admin routes (routes/admin.ts): audit trail, outbox, sync, staff accounts. */

export const auditEntry = z
  .object({
    id: z.number().int(),
    at: dateTime,
    staff: z.string().nullable().openapi({ description: 'username' }),
    action: z.enum(auditActions),
    entity: z.string(),
    entity_id: z.string().nullable(),
    patient_id: id.nullable(),
    device: z.string(),
    detail: z.string().nullable().openapi({ description: 'what a list or search asked for' }),
    staffName: z.string().nullable(),
    patientName: z.string().nullable(),
    actionKey: z.string().openapi({ description: 'word-catalog key of what was done, e.g. `audit.read.patient`', example: 'audit.read.patient' }),
    actionText: z.string().openapi({ description: 'what was done, in the request’s language', example: 'Membuka data pasien' }),
  })
  .openapi('AuditEntry');
export const auditAnswer = z.object({ entries: z.array(auditEntry) });
export type AuditAnswer = z.infer<typeof auditAnswer>;

const backlog = {
  pending: z.number().int(),
  parked: z.number().int(),
  oldestPendingAgeSeconds: z.number().nullable(),
  bytesPending: z.number(),
};

export const outboxAnswer = z.object({
  summary: z.object({
    ...backlog,
    total: z.number().int(),
    oldestPendingAt: dateTime.nullable(),
    byType: z.array(z.object({ type: z.string(), pending: z.number().int() })),
  }),
  entries: z.array(
    z.object({
      seq: z.number().int(),
      id,
      type: z.string(),
      entity_id: z.string(),
      entity_version: z.number().int(),
      created_at: dateTime,
      status: z.enum(['pending', 'parked', 'delivered']),
    }),
  ),
});
export type OutboxAnswer = z.infer<typeof outboxAnswer>;

export const parkedRecord = z
  .object({
    seq: z.number().int(),
    id,
    type: z.string(),
    entityId: z.string(),
    entityVersion: z.number().int(),
    reason: z.string(),
    createdAt: dateTime,
    parkedAt: dateTime,
  })
  .openapi('ParkedRecord');

export const syncAnswer = z.object({
  sync: z
    .object({
      ...backlog,
      enabled: z.boolean(),
      connected: z.boolean(),
      deviceId: z.string().nullable(),
      lastSyncAt: dateTime.nullable(),
      lastError: z.string().nullable(),
      lastErrorAt: dateTime.nullable(),
      recordsDelivered: z.number().int(),
      batchesSent: z.number().int(),
      bytesSent: z.number(),
      reconnects: z.number().int(),
      downlinkApplied: z.number().int(),
    })
    .openapi('SyncStats'),
  parked: z.array(parkedRecord),
});
export type SyncAnswer = z.infer<typeof syncAnswer>;

export const unparkAnswer = z.object({ released: z.boolean() });
export type UnparkAnswer = z.infer<typeof unparkAnswer>;

export const staffAnswer = z.object({
  staff: z.array(z.object({ id, username: z.string(), fullName: z.string(), role, active: z.boolean(), mustChangePassword: z.boolean() }).openapi('StaffAccount')),
});
export type StaffAnswer = z.infer<typeof staffAnswer>;

export const createdAnswer = z.object({ id });
export type CreatedAnswer = z.infer<typeof createdAnswer>;

export const okAnswer = z.object({ ok: z.boolean() });
export type OkAnswer = z.infer<typeof okAnswer>;
