/**
 * What changes a referral after it is issued without the doctor: the hospital's answer (through
 * the centre and sync) and expiry when its valid-until has passed.
 */
import type { z } from 'zod';
import { referralAnswer } from '../../central/contract/messages.ts';
import type { Db } from './db.ts';
import { ClinicError } from './errors.ts';
import { parseInput } from './encounters.ts';
import { loadReferral, moveReferral, type Referral } from './referral-states.ts';

/** What the hospital answers (through the centre and sync): defined once, in the wire contract. */
export const hospitalAnswer = referralAnswer;
export type HospitalAnswer = z.input<typeof hospitalAnswer>;

/**
 * For the sync issue: applies the hospital's answer. `version` is the referral version the answer
 * was made against (the one the hospital saw). An answer about a version this box never wrote is
 * a conflict; repeating the current state is a no-op (sync may deliver twice); otherwise the
 * transition table decides, so an answer arriving after a later one cannot move the status back.
 */
export async function applyHospitalAnswer(db: Db, referralId: string, answer: HospitalAnswer, version: number, facilityCode = ''): Promise<Referral> {
  const a = parseInput(hospitalAnswer, answer);
  const current = await loadReferral(db, referralId);
  if (version > current.version) {
    throw new ClinicError('conflict', 'the answer is about a version of the referral this box does not have', {
      entity: 'referral',
      version: current.version,
      answerVersion: version,
    });
  }
  if (current.status === a.status && (a.status !== 'scheduled' || a.scheduledFor === current.scheduledFor)) return current;
  return moveReferral(db, referralId, a.status, facilityCode, { scheduledFor: a.scheduledFor ?? null, answerNote: a.note ?? null });
}

/** Marks every pending referral whose valid-until has passed as expired (call daily). */
export async function expireReferrals(db: Db, today: string, facilityCode = ''): Promise<number> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM referrals WHERE valid_until < $1 AND status IN ('issued','sent','accepted','scheduled') ORDER BY created_at`, [
    today,
  ]);
  let n = 0;
  for (const { id } of rows) {
    try {
      await moveReferral(db, id, 'expired', facilityCode);
      n++;
    } catch (e) {
      if (!(e instanceof ClinicError)) throw e;
    }
  }
  return n;
}
