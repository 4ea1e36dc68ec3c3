/**
 * A referral's life: its statuses, which may follow which, and the one way a status changes
 * (moveReferral: checked against the table, versioned, sent to the centre through the outbox and
 * audited when a person did it). Reading and storing a referral are here too, since every move
 * does both.
 */
import type { Db, Queryable } from './db.ts';
import { ClinicError, invalidState, notFound } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { appendOutbox } from './outbox.ts';
import { getIcd10 } from './icd10.ts';

export const referralStatuses = ['draft', 'issued', 'sent', 'accepted', 'scheduled', 'rejected', 'used', 'expired'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

/**
 * Which status may follow which. The box itself moves draft → issued and anything still pending
 * → expired; sent / accepted / scheduled / rejected / used come from the hospital through sync.
 */
export const referralTransitions: Record<ReferralStatus, readonly ReferralStatus[]> = {
  draft: ['issued'],
  issued: ['sent', 'accepted', 'scheduled', 'rejected', 'used', 'expired'],
  sent: ['accepted', 'scheduled', 'rejected', 'used', 'expired'],
  accepted: ['scheduled', 'used', 'expired'],
  scheduled: ['scheduled', 'used', 'expired'],
  rejected: [],
  used: [],
  expired: [],
};

export function canMove(from: ReferralStatus, to: ReferralStatus): boolean {
  return referralTransitions[from].includes(to);
}

export interface Referral {
  id: string;
  encounterId: string;
  patientId: string;
  patientName: string;
  referrerId: string;
  referrerName: string;
  hospitalCode: string;
  hospitalName: string;
  specialty: string;
  diagnosisCode: string;
  diagnosisName: string;
  reason: string;
  emergency: boolean;
  status: ReferralStatus;
  validUntil: string;
  scheduledFor: string | null;
  answerNote: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  ticketId: string | null;
}

export const referralSelect = `SELECT r.id, r.encounter_id AS "encounterId", r.patient_id AS "patientId", p.full_name AS "patientName",
  r.referrer_id AS "referrerId", s.full_name AS "referrerName", r.hospital_code AS "hospitalCode", r.hospital_name AS "hospitalName",
  r.specialty, r.diagnosis_code AS "diagnosisCode", r.reason, r.emergency, r.status, to_char(r.valid_until, 'YYYY-MM-DD') AS "validUntil",
  to_char(r.scheduled_for, 'YYYY-MM-DD') AS "scheduledFor", r.answer_note AS "answerNote", r.version, r.created_at AS "createdAt",
  r.updated_at AS "updatedAt", e.ticket_id AS "ticketId"
  FROM referrals r JOIN patients p ON p.id = r.patient_id JOIN staff s ON s.id = r.referrer_id JOIN encounters e ON e.id = r.encounter_id`;

const iso = (v: unknown) => new Date(v as string).toISOString();
export const toReferral = (r: Omit<Referral, 'diagnosisName'>): Referral => ({
  ...r,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  diagnosisName: getIcd10(r.diagnosisCode)?.name ?? r.diagnosisCode,
});

export async function loadReferral(db: Queryable, id: string): Promise<Referral> {
  const { rows } = await db.query<Omit<Referral, 'diagnosisName'>>(`${referralSelect} WHERE r.id = $1`, [id]);
  if (!rows[0]) throw notFound('referral', id);
  return toReferral(rows[0]);
}

export async function referralOutbox(tx: Queryable, r: Referral, facilityCode: string) {
  const p = await tx.query<{ nik: string | null; jkn_number: string | null; sex: string; birth_date: string }>(
    `SELECT nik, jkn_number, sex, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM patients WHERE id = $1`,
    [r.patientId],
  );
  const pt = p.rows[0];
  await appendOutbox(tx, {
    type: 'referral',
    entityId: r.id,
    entityVersion: r.version,
    payload: {
      id: r.id,
      facility: facilityCode,
      encounterId: r.encounterId,
      status: r.status,
      version: r.version,
      patient: { id: r.patientId, name: r.patientName, jknNumber: pt?.jkn_number ?? null, nik: pt?.nik ?? null, sex: pt?.sex, birthDate: pt?.birth_date },
      referrer: { id: r.referrerId, name: r.referrerName },
      hospital: { code: r.hospitalCode, name: r.hospitalName },
      specialty: r.specialty,
      diagnosis: { code: r.diagnosisCode, name: r.diagnosisName },
      reason: r.reason,
      emergency: r.emergency,
      validUntil: r.validUntil,
      scheduledFor: r.scheduledFor,
      answerNote: r.answerNote,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    },
  });
}

export async function moveReferral(
  db: Db,
  id: string,
  to: ReferralStatus,
  facilityCode: string,
  extra: { scheduledFor?: string | null; answerNote?: string | null } = {},
  check?: (r: Referral) => void,
  actor?: Actor,
): Promise<Referral> {
  return db.transaction(async (tx) => {
    const r = await loadReferral(tx, id);
    check?.(r);
    if (!canMove(r.status, to)) throw invalidState('referral', r.status, to);
    const { rows } = await tx.query(
      `UPDATE referrals SET status = $3, scheduled_for = coalesce($4, scheduled_for), answer_note = coalesce($5, answer_note), version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $2 RETURNING id`,
      [id, r.version, to, extra.scheduledFor ?? null, extra.answerNote ?? null],
    );
    if (!rows.length) throw new ClinicError('conflict', 'the referral changed meanwhile', { entity: 'referral' });
    const after = await loadReferral(tx, id);
    await referralOutbox(tx, after, facilityCode);
    if (actor) await audit(tx, actor, 'update', 'referral', id, r.patientId);
    return after;
  });
}
