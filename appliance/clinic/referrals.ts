import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { ClinicError, invalidState } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { icd10Code, parseInput, requireOpenEncounter } from './encounters.ts';
import { getHospital, hospitalCode } from './hospitals.ts';
import { addDays, clinicDay } from './clock.ts';
import type { ClinicSettings } from './settings.ts';
import { text } from './text.ts';
import { loadReferral, moveReferral, referralOutbox, referralSelect, toReferral, type Referral, type ReferralStatus } from './referral-states.ts';

export { referralStatuses, referralTransitions, canMove, type Referral, type ReferralStatus } from './referral-states.ts';
export { hospitalAnswer, applyHospitalAnswer, expireReferrals, type HospitalAnswer } from './referral-answers.ts';

const isoDate = text()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

const referralFields = {
  hospitalCode,
  specialty: text().trim().min(2).max(60),
  diagnosisCode: icd10Code,
  reason: text().trim().min(3, 'say why the patient is referred').max(2000),
  emergency: z.boolean().default(false),
  /** Default: the clinic day + settings.referralValidDays. */
  validUntil: isoDate.optional(),
};

export const referralInput = z
  .object({
    encounterId: text().uuid(),
    ...referralFields,
    /** true: issue at once (the letter can be printed); false: keep as a draft. */
    issue: z.boolean().default(false),
  })
  .strict();
export type ReferralInput = z.input<typeof referralInput>;

export const referralDraftUpdate = z
  .object({
    version: z.number().int().min(1).optional(),
    hospitalCode: referralFields.hospitalCode.optional(),
    specialty: referralFields.specialty.optional(),
    diagnosisCode: referralFields.diagnosisCode.optional(),
    reason: referralFields.reason.optional(),
    emergency: z.boolean().optional(),
    validUntil: isoDate.optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), 'nothing to change');
export type ReferralDraftUpdate = z.input<typeof referralDraftUpdate>;

async function checkHospital(tx: Queryable, code: string, specialty: string) {
  const h = await getHospital(tx, code).catch((e) => {
    if (e instanceof ClinicError && e.code === 'not_found') throw new ClinicError('invalid', `unknown hospital ${code}`, { field: 'hospitalCode', hospitalCode: code });
    throw e;
  });
  if (h.specialties.length && !h.specialties.includes(specialty)) {
    throw new ClinicError('invalid', `${h.name} has no ${specialty} service`, { field: 'specialty', specialty, available: h.specialties });
  }
  return h;
}

function checkValidUntil(validUntil: string, today: string) {
  if (validUntil < today) throw new ClinicError('invalid', 'valid-until is in the past', { field: 'validUntil', problem: 'past' });
  if (validUntil > addDays(today, 365)) throw new ClinicError('invalid', 'valid-until is more than a year ahead', { field: 'validUntil', problem: 'too_far' });
}

export async function getReferral(db: Queryable, actor: Actor, id: string): Promise<Referral> {
  const r = await loadReferral(db, id);
  await audit(db, actor, 'read', 'referral', id, r.patientId);
  return r;
}

/** The doctor refers from an open encounter; a draft until issued (or issued at once with `issue`). */
export async function createReferral(db: Db, actor: Actor, settings: ClinicSettings, input: ReferralInput, now = new Date()): Promise<Referral> {
  const inp = parseInput(referralInput, input);
  const today = clinicDay(now, settings.timeZone);
  const validUntil = inp.validUntil ?? addDays(today, settings.referralValidDays);
  checkValidUntil(validUntil, today);
  return db.transaction(async (tx) => {
    const e = await requireOpenEncounter(tx, inp.encounterId, 'refer');
    const h = await checkHospital(tx, inp.hospitalCode, inp.specialty);
    const id = randomUUID();
    await tx.query(
      `INSERT INTO referrals (id, encounter_id, patient_id, referrer_id, hospital_code, hospital_name, specialty, diagnosis_code, reason, emergency, status, valid_until)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'draft',$11)`,
      [id, e.id, e.patientId, actor.staffId, h.code, h.name, inp.specialty, inp.diagnosisCode, inp.reason, inp.emergency, validUntil],
    );
    let r = await loadReferral(tx, id);
    await referralOutbox(tx, r, settings.facility.code);
    if (inp.issue) {
      await tx.query(`UPDATE referrals SET status = 'issued', version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      r = await loadReferral(tx, id);
      await referralOutbox(tx, r, settings.facility.code);
    }
    await audit(tx, actor, 'create', 'referral', id, e.patientId);
    return r;
  });
}

/** Changes a draft (only a draft: an issued letter is what the patient carries). */
export async function updateReferralDraft(db: Db, actor: Actor, settings: ClinicSettings, id: string, input: ReferralDraftUpdate, now = new Date()): Promise<Referral> {
  const inp = parseInput(referralDraftUpdate, input);
  return db.transaction(async (tx) => {
    const r = await loadReferral(tx, id);
    if (r.status !== 'draft') throw invalidState('referral', r.status, 'edit');
    if (inp.version !== undefined && inp.version !== r.version)
      throw new ClinicError('conflict', 'the referral was changed meanwhile; reload it', { entity: 'referral', version: r.version });
    const next = { ...r, ...Object.fromEntries(Object.entries(inp).filter(([, v]) => v !== undefined)) } as Referral;
    const h = await checkHospital(tx, next.hospitalCode, next.specialty);
    if (inp.validUntil) checkValidUntil(inp.validUntil, clinicDay(now, settings.timeZone));
    await tx.query(
      `UPDATE referrals SET hospital_code = $2, hospital_name = $3, specialty = $4, diagnosis_code = $5, reason = $6, emergency = $7, valid_until = $8,
              version = version + 1, updated_at = now() WHERE id = $1`,
      [id, h.code, h.name, next.specialty, next.diagnosisCode, next.reason, next.emergency, next.validUntil],
    );
    const after = await loadReferral(tx, id);
    await referralOutbox(tx, after, settings.facility.code);
    await audit(tx, actor, 'update', 'referral', id, r.patientId);
    return after;
  });
}

/** Issues a draft: from now on it is the letter the patient carries. */
export function issueReferral(db: Db, actor: Actor, settings: ClinicSettings, id: string): Promise<Referral> {
  return moveReferral(db, id, 'issued', settings.facility.code, {}, undefined, actor);
}

export async function listReferrals(db: Queryable, actor: Actor, f: { patientId?: string; encounterId?: string; status?: ReferralStatus; limit: number; offset: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.patientId) where.push(`r.patient_id = $${params.push(f.patientId)}`);
  if (f.encounterId) where.push(`r.encounter_id = $${params.push(f.encounterId)}`);
  if (f.status) where.push(`r.status = $${params.push(f.status)}`);
  const { rows } = await db.query<Omit<Referral, 'diagnosisName'>>(
    `${referralSelect} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.created_at DESC LIMIT $${params.push(f.limit)} OFFSET $${params.push(f.offset)}`,
    params,
  );
  await audit(db, actor, 'list', 'referral', null, f.patientId ?? null);
  return rows.map(toReferral);
}

export async function referralsOfEncounter(db: Queryable, encounterId: string): Promise<Referral[]> {
  const { rows } = await db.query<Omit<Referral, 'diagnosisName'>>(`${referralSelect} WHERE r.encounter_id = $1 ORDER BY r.created_at`, [encounterId]);
  return rows.map(toReferral);
}

/**
 * A referral as the patient's copy through a ticket link: only one of that ticket's patient,
 * made from that ticket's encounter, and issued (a draft is not a letter). Null otherwise.
 */
export async function referralForTicket(db: Queryable, ticketId: string, referralId: string): Promise<Referral | null> {
  const { rows } = await db.query<Omit<Referral, 'diagnosisName'>>(
    `${referralSelect} JOIN queue_tickets t ON t.id = e.ticket_id
      WHERE r.id = $2 AND e.ticket_id = $1 AND t.patient_id = r.patient_id AND r.status <> 'draft'
        AND r.created_at >= t.taken_at`,
    [ticketId, referralId],
  );
  return rows[0] ? toReferral(rows[0]) : null;
}

/** The patient's referral copies through their ticket link. */
export async function referralsForTicket(db: Queryable, ticketId: string) {
  const { rows } = await db.query<Omit<Referral, 'diagnosisName'>>(
    `${referralSelect} JOIN queue_tickets t ON t.id = e.ticket_id
      WHERE e.ticket_id = $1 AND t.patient_id = r.patient_id AND r.status <> 'draft' AND r.created_at >= t.taken_at ORDER BY r.created_at`,
    [ticketId],
  );
  return rows.map(toReferral).map((r) => ({
    id: r.id,
    hospitalCode: r.hospitalCode,
    hospitalName: r.hospitalName,
    specialty: r.specialty,
    diagnosisCode: r.diagnosisCode,
    diagnosisName: r.diagnosisName,
    reason: r.reason,
    emergency: r.emergency,
    status: r.status,
    validUntil: r.validUntil,
    scheduledFor: r.scheduledFor,
    referrerName: r.referrerName,
    createdAt: r.createdAt,
  }));
}
