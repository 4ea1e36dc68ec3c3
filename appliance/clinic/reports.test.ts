import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { createStaff } from './staff.ts';
import { clinicReport, periodRange, reportPeriod } from './reports.ts';
import { testSettings } from './testing.ts';
import { makeNik } from './identity-numbers.ts';
import { writeClinicMonth } from '../../test/support/clinic-month.ts';

/** A box without the demo seed (a production box): its admin, one doctor, three patients, a few visits. */
describe('the clinic report (production box, no demo data)', () => {
  const settings = testSettings({
    polis: [
      { code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1'] },
      { code: 'kia', name: 'Poli KIA', prefix: 'C', rooms: ['Ruang KIA'] },
    ],
  });
  let db: GroupCommitDb;
  let doctor: string;
  const at = (day: string, hhmm: string) => new Date(Date.parse(`${day}T${hhmm}:00+07:00`)).toISOString();

  async function patient(sex: 'L' | 'P', birth: string, n: number) {
    const id = randomUUID();
    await db.query(`INSERT INTO patients (id, full_name, nik, sex, birth_date) VALUES ($1,$2,$3,$4,$5)`, [id, `P${n}`, makeNik('332901', sex, birth, n), sex, birth]);
    return id;
  }
  async function visit(patientId: string, poli: string, day: string, taken: string, called: string, finished: string, codes: string[], status: 'closed' | 'open' = 'closed') {
    const ticket = randomUUID();
    const n = (await db.query(`SELECT 1 FROM queue_tickets WHERE day = $1 AND poli = $2`, [day, poli])).rows.length + 1;
    await db.query(
      `INSERT INTO queue_tickets (id, token_hash, day, poli, number, label, patient_id, source, status, taken_at, called_at, finished_at, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,'desk','done',$8,$9,$10,$10)`,
      [ticket, randomUUID(), day, poli, n, `A-${n}`, patientId, at(day, taken), at(day, called), at(day, finished)],
    );
    await db.query(`INSERT INTO encounters (id, patient_id, ticket_id, doctor_id, poli, mode, status, diagnoses, opened_at) VALUES ($1,$2,$3,$4,$5,'in_person',$6,$7,$8)`, [
      randomUUID(),
      patientId,
      ticket,
      doctor,
      poli,
      status,
      JSON.stringify(codes.map((code, i) => ({ code, name: code, kind: i ? 'secondary' : 'primary' }))),
      at(day, called),
    ]);
  }

  beforeAll(async () => {
    db = new GroupCommitDb(await openMemoryDatabase());
    await createStaff(db, { username: 'kepala', fullName: 'Kepala Puskesmas', role: 'admin', password: 'x'.repeat(12) });
    doctor = (await createStaff(db, { username: 'dokter.b', fullName: 'dr. B', role: 'doctor', password: 'y'.repeat(12) })).id;
    const baby = await patient('P', '2025-03-02', 1);
    const man = await patient('L', '1964-01-15', 2);
    const woman = await patient('P', '1990-06-01', 3);
    // January: the woman's hypertension is found (new then).
    await visit(woman, 'umum', '2025-01-10', '08:00', '08:10', '08:20', ['I10']);
    // March: the baby at 3 days; the man twice with hypertension (new, then old); the woman again (old: same year).
    await visit(baby, 'kia', '2025-03-05', '08:00', '08:30', '08:45', ['P59.9']);
    await visit(man, 'umum', '2025-03-05', '08:00', '08:50', '09:00', ['I10', 'E11.9']);
    await visit(man, 'umum', '2025-03-20', '09:00', '09:20', '09:30', ['I10']);
    await visit(woman, 'umum', '2025-03-21', '10:00', '10:40', '11:00', ['I10']);
    // An open visit's draft diagnosis is not counted; late on 31 March local time is still March.
    await visit(woman, 'umum', '2025-03-31', '23:00', '23:30', '23:40', ['J06.9'], 'open');
    await visit(baby, 'kia', '2025-03-31', '22:00', '23:50', '23:55', ['J06.9']);
  });
  afterAll(() => db.close());

  it('a month is local midnight to local midnight', () => {
    expect(periodRange('2025-03', 'Asia/Jakarta')).toMatchObject({
      kind: 'month',
      firstDay: '2025-03-01',
      endDay: '2025-04-01',
      from: '2025-02-28T17:00:00.000Z',
      to: '2025-03-31T17:00:00.000Z',
    });
    expect(periodRange('2025-12-31', 'Asia/Jayapura')).toMatchObject({ kind: 'day', endDay: '2026-01-01', from: '2025-12-30T15:00:00.000Z' });
  });

  it('a range of days (the report page’s from and to), both ends included; reversed or over a year refused', () => {
    expect(periodRange('2025-03-20..2025-04-02', 'Asia/Jakarta')).toMatchObject({ kind: 'range', firstDay: '2025-03-20', endDay: '2025-04-03' });
    const problem = (p: string) => reportPeriod.safeParse(p).error?.issues[0]?.message;
    expect(problem('2025-03-20..2025-04-02')).toBeUndefined();
    expect(problem('2025-04-02..2025-03-20')).toBe('period_range_reversed');
    expect(problem('2025-01-01..2026-01-02')).toBe('period_range_too_long');
    expect(problem('2025-02-30..2025-03-02')).toBe('period_not_a_date');
  });

  it('the chart’s series: numbers per local hour for a day, per day for a range, empty slots included', async () => {
    const day = await clinicReport(db, settings, '2025-03-31', new Date('2025-04-02T00:00:00Z'));
    expect(day.series.unit).toBe('hour');
    expect(day.series.points).toHaveLength(24);
    expect(day.series.points.find((p) => p.at === '22')).toEqual({ at: '22', taken: 1, served: 1 });
    const range = await clinicReport(db, settings, '2025-03-20..2025-03-22', new Date('2025-04-02T00:00:00Z'));
    expect(range.kind).toBe('range');
    expect(range.series.points.map((p) => [p.at, p.taken])).toEqual([
      ['2025-03-20', 1],
      ['2025-03-21', 1],
      ['2025-03-22', 0],
    ]);
  });

  it('LB1: cases by code, sex, age group, new and old', async () => {
    const r = await clinicReport(db, settings, '2025-03', new Date('2025-04-02T00:00:00Z'));
    const i10 = r.lb1.rows.find((x) => x.code === 'I10')!;
    expect(i10).toMatchObject({ total: 3, newCases: { L: 1, P: 0 }, oldCases: { L: 1, P: 1 } });
    expect(i10.byAge.find((a) => a.group === '60-69th')).toEqual({ group: '60-69th', L: 2, P: 0 });
    expect(i10.byAge.find((a) => a.group === '20-44th')).toEqual({ group: '20-44th', L: 0, P: 1 });
    const baby = r.lb1.rows.find((x) => x.code === 'P59.9')!;
    expect(baby.byAge[0]).toEqual({ group: '0-7h', L: 0, P: 1 });
    expect(r.lb1.rows.find((x) => x.code === 'J06.9')).toMatchObject({ total: 1, byAge: expect.arrayContaining([{ group: '29h-<1th', L: 0, P: 1 }]) });
    expect(r.lb1.rows.find((x) => x.code === 'E11.9')).toMatchObject({ total: 1, newCases: { L: 1, P: 0 } });
    expect(r.topDiagnoses[0]).toMatchObject({ code: 'I10', total: 3 });
  });

  it('visits by poli and waiting/service times from the tickets', async () => {
    const r = await clinicReport(db, settings, '2025-03', new Date('2025-04-02T00:00:00Z'));
    expect(r.visitsByPoli.map((v) => [v.poli, v.taken, v.served, v.visits])).toEqual([
      ['umum', 4, 4, 4],
      ['kia', 2, 2, 2],
    ]);
    const umum = r.times.find((t) => t.poli === 'umum')!;
    // waits 50, 20, 40, 30 minutes; services 10, 10, 20, 10
    expect(umum.wait).toMatchObject({ count: 4, average: 35, median: 35 });
    expect(umum.service).toMatchObject({ count: 4, average: 12.5, median: 10 });
    const day = await clinicReport(db, settings, '2025-03-05', new Date('2025-04-02T00:00:00Z'));
    expect(day.visitsByPoli.map((v) => v.visits)).toEqual([1, 1]);
    expect(day.lb1.rows.map((x) => x.code).sort()).toEqual(['E11.9', 'I10', 'P59.9']);
  });

  it('a month of 600 visits: totals add up (prescriptions, referrals, stock)', async () => {
    const made = await writeClinicMonth(db, { month: '2025-05', visits: 600, seed: 7 });
    const r = await clinicReport(db, settings, '2025-05', new Date('2025-06-02T00:00:00Z'));
    expect(r.visitsByPoli.reduce((n, v) => n + v.visits, 0)).toBe(made.visits);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM prescriptions WHERE issued_at >= '2025-04-30T17:00Z' AND issued_at < '2025-05-31T17:00Z'`);
    expect(r.prescriptions.issued).toBe(rows[0].n);
    expect(r.referrals.total).toBe(r.referrals.byHospital.reduce((n, h) => n + h.total, 0));
    const lb1Total = r.lb1.rows.reduce((n, x) => n + x.total, 0);
    const newOld = r.lb1.rows.reduce((n, x) => n + x.newCases.L + x.newCases.P + x.oldCases.L + x.oldCases.P, 0);
    expect(newOld).toBe(lb1Total);
    expect(r.lb1.rows.reduce((n, x) => n + x.byAge.reduce((m, a) => m + a.L + a.P, 0), 0)).toBe(lb1Total);
    for (const s of r.stockLow.items) expect(s.stock === 0 || (s.daysLeft ?? 99) < r.stockLow.threshold.days).toBe(true);
  });
});
