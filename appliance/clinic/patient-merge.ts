/**
 * Two records of one person (registered twice at the desk: once by NIK, once by JKN number, or a
 * misspelt name) become one. The kept record takes over everything of the duplicate — visits,
 * queue numbers, prescriptions, referrals, consents, allergies — in one transaction. The duplicate
 * stays, marked `merged_into`, so its identifiers and the audit trail still lead to the person.
 * The centre is told in the same transaction (outbox): every closed visit that moved is sent again
 * as the next version of its summary under the kept patient, and a `patient_merge` record says
 * which record went into which.
 */
import { z } from 'zod';
import type { Db } from './db.ts';
import type { Queue } from './queue.ts';
import { audit, type Actor } from './audit.ts';
import { ClinicError, notFound } from './errors.ts';
import { appendOutbox } from './outbox.ts';
import { findEncounter, queueEncounterSummary } from './encounters.ts';
import { text } from './text.ts';

export const mergeInput = z.object({ duplicateId: text().uuid() }).strict();

export interface MergeResult {
  keptPatientId: string;
  mergedPatientId: string;
  moved: { encounters: number; tickets: number; prescriptions: number; referrals: number; consents: number; allergies: number };
}

export async function mergePatients(db: Db, queue: Queue, actor: Actor, keptId: string, duplicateId: string, facilityCode: string): Promise<MergeResult> {
  if (keptId === duplicateId) throw new ClinicError('invalid', 'a record cannot be merged into itself', { field: 'duplicateId', problem: 'same_record' });
  const result = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; merged_into: string | null }>(`SELECT id, merged_into FROM patients WHERE id = ANY($1::uuid[]) FOR UPDATE`, [
      [keptId, duplicateId],
    ]);
    const kept = rows.find((r) => r.id === keptId);
    const dup = rows.find((r) => r.id === duplicateId);
    if (!kept) throw notFound('patient', keptId);
    if (!dup) throw notFound('patient', duplicateId);
    if (kept.merged_into || dup.merged_into) {
      throw new ClinicError('invalid_state', 'one of the records was already merged', { entity: 'patient', from: 'merged', action: 'merge' });
    }
    const open = await tx.query(`SELECT 1 FROM encounters WHERE patient_id = ANY($1::uuid[]) AND status = 'open'`, [[duplicateId]]);
    if (open.rows.length) throw new ClinicError('invalid_state', 'the duplicate has an open visit; close it first', { entity: 'patient', from: 'open_visit', action: 'merge' });
    const move = async (table: string) => (await tx.query(`UPDATE ${table} SET patient_id = $1 WHERE patient_id = $2 RETURNING 1`, [keptId, duplicateId])).rows.length;
    const closed = await tx.query<{ id: string }>(`SELECT id FROM encounters WHERE patient_id = $1 AND status = 'closed' ORDER BY opened_at`, [duplicateId]);
    const moved = {
      encounters: await move('encounters'),
      tickets: await move('queue_tickets'),
      prescriptions: await move('prescriptions'),
      referrals: await move('referrals'),
      consents: await move('consents'),
      allergies: await move('patient_allergies'),
    };
    // The centre holds these visits under the duplicate: each goes again, one version on.
    for (const { id } of closed.rows) {
      await tx.query(`UPDATE encounters SET version = version + 1 WHERE id = $1`, [id]);
      await queueEncounterSummary(tx, await findEncounter(tx, id), facilityCode);
    }
    await tx.query(`UPDATE patients SET merged_into = $1, merged_at = now() WHERE id = $2`, [keptId, duplicateId]);
    await appendOutbox(tx, {
      type: 'patient_merge',
      entityId: duplicateId,
      entityVersion: 1,
      payload: { id: duplicateId, version: 1, keptPatientId: keptId, mergedPatientId: duplicateId, facility: facilityCode, visitsMoved: moved.encounters },
    });
    await audit(tx, actor, 'merge', 'patient', keptId, keptId, `merged ${duplicateId}`);
    await audit(tx, actor, 'merge', 'patient', duplicateId, duplicateId, `into ${keptId}`);
    return { keptPatientId: keptId, mergedPatientId: duplicateId, moved };
  });
  // Today's queue is mirrored in memory: its tickets of the duplicate are attached again so that
  // the desk and the doctor see the kept patient without a restart.
  const today = await db.query<{ id: string }>(`SELECT id FROM queue_tickets WHERE patient_id = $1 AND day = $2 AND status IN ('waiting','called','serving','skipped')`, [
    keptId,
    queue.today(),
  ]);
  for (const { id } of today.rows) {
    const t = await queue.get(id);
    if (t.patientId !== keptId) await queue.attachPatient(id, keptId, actor);
  }
  return result;
}
