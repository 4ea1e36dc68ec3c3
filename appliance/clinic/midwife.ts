/**
 * What a midwife (bidan) may do on the box. In a puskesmas the bidan runs the KIA poli: antenatal
 * care, family planning (KB), immunisation, the young child's checks (MTBS), normal births, and
 * refers complicated pregnancies to a hospital (UU 4/2019 Kebidanan; Permenkes 28/2017 on the
 * midwife's licence and practice). So for visits in these polis she works like a doctor — opens,
 * writes, diagnoses, prescribes from the formulary (iron and folic acid, vitamins, contraceptives,
 * the drugs of her standing orders), refers and closes — and elsewhere like a nurse (registration,
 * the queue, vitals). A poli's code says which it is; a box with other codes for them lists them here.
 */
import type { Queryable } from './db.ts';
import type { Actor } from './audit.ts';
import { ClinicError, notFound } from './errors.ts';

export const midwifePolis: readonly string[] = ['kia', 'kb', 'mtbs', 'imunisasi'];

/** Refuses a midwife's clinical write in a poli outside hers; anyone else passes. */
export function assertMayTreat(actor: Actor, poli: string): void {
  if (actor.role === 'midwife' && !midwifePolis.includes(poli)) {
    throw new ClinicError('not_allowed', `a midwife treats in ${midwifePolis.join(', ')}, not ${poli}`, { poli, polis: midwifePolis });
  }
}

export async function assertMayTreatEncounter(db: Queryable, actor: Actor, encounterId: string): Promise<void> {
  if (actor.role !== 'midwife') return;
  const { rows } = await db.query<{ poli: string }>(`SELECT poli FROM encounters WHERE id = $1`, [encounterId]);
  if (!rows[0]) throw notFound('encounter', encounterId);
  assertMayTreat(actor, rows[0].poli);
}

export async function assertMayTreatReferral(db: Queryable, actor: Actor, referralId: string): Promise<void> {
  if (actor.role !== 'midwife') return;
  const { rows } = await db.query<{ poli: string }>(`SELECT e.poli FROM referrals r JOIN encounters e ON e.id = r.encounter_id WHERE r.id = $1`, [referralId]);
  if (!rows[0]) throw notFound('referral', referralId);
  assertMayTreat(actor, rows[0].poli);
}
