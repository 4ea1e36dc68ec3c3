import { beforeAll, describe, expect, it } from 'vitest';
import { clinicError, useClinic, testSettings } from './testing.ts';
import { demoIds } from './demo-ids.ts';
import { addDays, clinicDay } from './clock.ts';
import type { Encounter } from './encounters.ts';
import { listHospitals } from './hospitals.ts';
import {
  applyHospitalAnswer,
  canMove,
  createReferral,
  expireReferrals,
  issueReferral,
  referralForTicket,
  referralsForTicket,
  referralTransitions,
  updateReferralDraft,
  type ReferralInput,
} from './referrals.ts';

const settings = testSettings({ referralValidDays: 30 });

const failure = clinicError;

describe('referrals', () => {
  const clinic = useClinic(settings);
  let encounter: Encounter;
  let ticketId: string;
  const today = clinicDay(new Date(), settings.timeZone);
  beforeAll(async () => {
    ({ ticketId, encounter } = await clinic.openDemoEncounter());
  });

  const input = (over: Partial<ReferralInput> = {}): ReferralInput => ({
    encounterId: encounter.id,
    hospitalCode: demoIds.hospital,
    specialty: 'Neurologi',
    diagnosisCode: 'I63.9',
    reason: 'Curiga stroke iskemik',
    emergency: true,
    ...over,
  });
  const outboxOf = async (id: string) =>
    (
      await clinic.db.query<{ v: number; status: string }>(
        `SELECT entity_version AS v, payload->>'status' AS status FROM outbox WHERE type = 'referral' AND entity_id = $1 ORDER BY seq`,
        [id],
      )
    ).rows;

  it('lists the FKRTL hospitals with their specialties', async () => {
    const hs = await listHospitals(clinic.db);
    expect(hs.find((h) => h.code === demoIds.hospital)).toMatchObject({ name: 'RSUD Demo Kabupaten', specialties: expect.arrayContaining(['Neurologi']) });
  });

  it('creates a draft valid for the configured days, then issues it; each change goes to the outbox', async () => {
    const r = await createReferral(clinic.db, clinic.doctor, settings, input());
    expect(r).toMatchObject({
      status: 'draft',
      version: 1,
      validUntil: addDays(today, 30),
      hospitalName: 'RSUD Demo Kabupaten',
      emergency: true,
      diagnosisName: expect.stringContaining('Infark'),
    });
    const edited = await updateReferralDraft(clinic.db, clinic.doctor, settings, r.id, { reason: 'Hemiparesis kanan mendadak 2 jam', version: 1 });
    expect(edited).toMatchObject({ version: 2, reason: 'Hemiparesis kanan mendadak 2 jam' });
    const issued = await issueReferral(clinic.db, clinic.doctor, settings, r.id);
    expect(issued).toMatchObject({ status: 'issued', version: 3 });
    expect((await failure(issueReferral(clinic.db, clinic.doctor, settings, r.id))).code).toBe('invalid_state');
    expect((await failure(updateReferralDraft(clinic.db, clinic.doctor, settings, r.id, { reason: 'lain lagi' }))).code).toBe('invalid_state');
    expect(await outboxOf(r.id)).toEqual([
      { v: 1, status: 'draft' },
      { v: 2, status: 'draft' },
      { v: 3, status: 'issued' },
    ]);
  });

  it('validates hospital, specialty, diagnosis and valid-until', async () => {
    const bad = async (over: Partial<ReferralInput>) => (await failure(createReferral(clinic.db, clinic.doctor, settings, input(over)))).details;
    expect(await bad({ hospitalCode: '9999R999' })).toMatchObject({ field: 'hospitalCode' });
    expect(await bad({ specialty: 'Kulit dan Kelamin' })).toMatchObject({ field: 'specialty' });
    expect(await bad({ diagnosisCode: 'X99.9' })).toHaveProperty('issues');
    expect(await bad({ validUntil: addDays(today, -1) })).toMatchObject({ field: 'validUntil', problem: 'past' });
    expect(await bad({ validUntil: addDays(today, 400) })).toMatchObject({ field: 'validUntil', problem: 'too_far' });
  });

  it('enforces the transition table for hospital answers, idempotently and by version', async () => {
    expect(canMove('draft', 'sent')).toBe(false);
    expect(referralTransitions.used).toEqual([]);
    const r = await createReferral(clinic.db, clinic.doctor, settings, input({ issue: true }));
    expect(r).toMatchObject({ status: 'issued', version: 2 });
    expect((await failure(applyHospitalAnswer(clinic.db, r.id, { status: 'accepted' }, 9))).code).toBe('conflict');
    const sent = await applyHospitalAnswer(clinic.db, r.id, { status: 'sent' }, 2);
    expect(sent).toMatchObject({ status: 'sent', version: 3 });
    expect((await applyHospitalAnswer(clinic.db, r.id, { status: 'sent' }, 2)).version).toBe(3); // delivered twice: no change
    const sch = await applyHospitalAnswer(clinic.db, r.id, { status: 'scheduled', scheduledFor: addDays(today, 3), note: 'Poli saraf pukul 08.00' }, 3);
    expect(sch).toMatchObject({ status: 'scheduled', scheduledFor: addDays(today, 3), answerNote: 'Poli saraf pukul 08.00' });
    // An older 'accepted' arriving late cannot move it back.
    expect((await failure(applyHospitalAnswer(clinic.db, r.id, { status: 'accepted' }, 3))).code).toBe('invalid_state');
    expect((await failure(applyHospitalAnswer(clinic.db, r.id, { status: 'scheduled' }, 4))).code).toBe('invalid');
    const used = await applyHospitalAnswer(clinic.db, r.id, { status: 'used' }, 4);
    expect(used.status).toBe('used');
    expect((await failure(applyHospitalAnswer(clinic.db, r.id, { status: 'rejected' }, 5))).code).toBe('invalid_state');
    expect((await outboxOf(r.id)).map((x) => x.status)).toEqual(['draft', 'issued', 'sent', 'scheduled', 'used']);

    const draft = await createReferral(clinic.db, clinic.doctor, settings, input());
    expect((await failure(applyHospitalAnswer(clinic.db, draft.id, { status: 'accepted' }, 1))).code).toBe('invalid_state');
  });

  it('expires pending referrals past valid-until, not finished ones', async () => {
    const r = await createReferral(clinic.db, clinic.doctor, settings, input({ issue: true, validUntil: today }));
    const n = await expireReferrals(clinic.db, addDays(today, 1));
    expect(n).toBeGreaterThanOrEqual(1);
    const { rows } = await clinic.db.query<{ status: string }>(`SELECT status FROM referrals WHERE id = $1`, [r.id]);
    expect(rows[0].status).toBe('expired');
    const { rows: used } = await clinic.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM referrals WHERE status = 'used'`);
    expect(used[0].n).toBe(1);
  });

  it('the ticket link shows only issued referrals of its own visit', async () => {
    const draft = await createReferral(clinic.db, clinic.doctor, settings, input({ specialty: 'Anak' }));
    const copies = await referralsForTicket(clinic.db, ticketId);
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.map((c) => c.id)).not.toContain(draft.id);
    expect(copies.every((c) => c.hospitalName === 'RSUD Demo Kabupaten')).toBe(true);
    expect(await referralForTicket(clinic.db, ticketId, draft.id)).toBeNull();
    expect(await referralForTicket(clinic.db, ticketId, copies[0].id)).not.toBeNull();
    expect(await referralForTicket(clinic.db, demoIds.ticket, copies[0].id)).toBeNull(); // another ticket
  });
});
