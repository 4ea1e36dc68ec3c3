import { randomUUID } from 'node:crypto';
import type { Db } from '../../appliance/clinic/db.ts';
import { makeNik } from '../../appliance/clinic/identity-numbers.ts';
import { localInstant } from '../../appliance/clinic/clock.ts';

/**
 * A realistic month of a busy puskesmas written straight into the tables (as the clinic would
 * have left them): `visits` closed visits spread over the month's working days and three polis,
 * each from a queue number with its times, one or two diagnoses drawn from a primary-care mix,
 * a prescription on most, a referral on a few; patients come back (hypertension, diabetes) so
 * that LB1 has old cases. Deterministic for a seed.
 */
export async function writeClinicMonth(db: Db, opts: { month: string; visits: number; patients?: number; seed?: number; timeZone?: string }) {
  const tz = opts.timeZone ?? 'Asia/Jakarta';
  let s = opts.seed ?? 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const doctor = (await db.query<{ id: string }>(`SELECT id FROM staff WHERE role IN ('doctor','admin') ORDER BY role DESC LIMIT 1`)).rows[0].id;
  const formulary = (await db.query<{ id: string }>(`SELECT id FROM formulary`)).rows.map((r) => r.id);
  if (!formulary.length) {
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      await db.query(`INSERT INTO formulary (id, name, strength, form, unit, stock) VALUES ($1,$2,'500 mg','tablet','tablet',$3)`, [id, `Obat ${i + 1}`, 50 + i * 100]);
      formulary.push(id);
    }
  }
  const codes = ['J06.9', 'I10', 'K30', 'M79.1', 'E11.9', 'A09', 'K04.7', 'L30.9', 'Z34.9', 'R50.9', 'J02.9', 'K02.9'];
  const polis = ['umum', 'gigi', 'kia'];
  const nPatients = opts.patients ?? Math.ceil(opts.visits / 2.5);
  const patients: { id: string; sex: 'L' | 'P' }[] = [];
  await db.transaction(async (tx) => {
    for (let i = 0; i < nPatients; i += 500) {
      const vals: unknown[] = [];
      const rows: string[] = [];
      for (let j = i; j < Math.min(i + 500, nPatients); j++) {
        const sex = rnd() < 0.55 ? 'P' : 'L';
        const year = 1940 + Math.floor(rnd() * 85);
        const birth = `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
        const id = randomUUID();
        patients.push({ id, sex });
        const b = vals.length;
        rows.push(`($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5})`);
        vals.push(id, `Pasien ${j + 1}`, makeNik(String(330000 + ((opts.seed ?? 1) % 90) * 100 + Math.floor(j / 9999)), sex, birth, (j % 9999) + 1), sex, birth);
      }
      await tx.query(`INSERT INTO patients (id, full_name, nik, sex, birth_date) VALUES ${rows.join(',')}`, vals);
    }
  });
  const [y, m] = opts.month.split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const workDays = Array.from({ length: daysInMonth }, (_, i) => `${opts.month}-${String(i + 1).padStart(2, '0')}`).filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() !== 0);
  const perDay = Math.ceil(opts.visits / workDays.length);
  let made = 0;
  const iso = (t: number) => new Date(t).toISOString();
  for (const day of workDays) {
    if (made >= opts.visits) break;
    // One day's rows, written with a few multi-row inserts (a month of single inserts takes minutes).
    const rows: Record<string, unknown[][]> = { queue_tickets: [], encounters: [], prescriptions: [], prescription_items: [], referrals: [], queue_counters: [] };
    const numbers = new Map<string, number>();
    for (let k = 0; k < perDay && made < opts.visits; k++, made++) {
      const poli = pick(polis);
      const n = (numbers.get(poli) ?? 0) + 1;
      numbers.set(poli, n);
      const p = patients[Math.floor(rnd() ** 1.5 * patients.length)];
      const taken = localInstant(day, `0${7 + Math.floor((k / perDay) * 5)}:00`.slice(-5), tz).getTime() + Math.floor(rnd() * 3600_000);
      const called = taken + Math.floor(rnd() * 90 * 60_000);
      const finished = called + Math.floor((3 + rnd() * 20) * 60_000);
      const ticket = randomUUID();
      rows.queue_tickets.push([
        ticket,
        randomUUID(),
        day,
        poli,
        n,
        `X-${n}`,
        p.id,
        'desk',
        'done',
        'Ruang 1',
        1,
        iso(taken),
        iso(called),
        iso(called),
        iso(finished),
        iso(finished + 8 * 3600_000),
      ]);
      const first = pick(codes);
      const diagnoses = [{ code: first, name: first, kind: 'primary' }];
      if (rnd() < 0.3) {
        const second = pick(codes);
        if (second !== first) diagnoses.push({ code: second, name: second, kind: 'secondary' });
      }
      const enc = randomUUID();
      rows.encounters.push([
        enc,
        p.id,
        ticket,
        doctor,
        poli,
        'in_person',
        'closed',
        JSON.stringify({ systolic: 110 + Math.floor(rnd() * 60), diastolic: 70 + Math.floor(rnd() * 20), weight: 40 + Math.floor(rnd() * 40) }),
        JSON.stringify(diagnoses),
        3,
        iso(called),
        iso(finished),
      ]);
      if (rnd() < 0.8) {
        const rx = randomUUID();
        rows.prescriptions.push([rx, enc, p.id, doctor, 'dispensed', iso(finished), iso(finished + 600_000)]);
        const lines = 1 + Math.floor(rnd() * 3);
        const used = new Set<string>();
        for (let l = 1; l <= lines; l++) {
          const f = pick(formulary);
          if (used.has(f)) continue;
          used.add(f);
          rows.prescription_items.push([rx, l, f, '3 x 1', 5 + Math.floor(rnd() * 25), 3]);
        }
      }
      if (rnd() < 0.04) {
        const [code, name] = rnd() < 0.5 ? ['0112R001', 'RSUD Demo Kabupaten'] : ['0112R002', 'RS Islam Demo'];
        rows.referrals.push([randomUUID(), enc, p.id, doctor, code, name, 'Penyakit Dalam', first, 'kontrol', rnd() < 0.1, 'issued', day, iso(finished), iso(finished)]);
      }
    }
    for (const [poli, n] of numbers) rows.queue_counters.push([poli, day, n]);
    const columns: Record<string, string> = {
      queue_tickets: 'id, token_hash, day, poli, number, label, patient_id, source, status, room, call_count, taken_at, called_at, served_at, finished_at, expires_at',
      encounters: 'id, patient_id, ticket_id, doctor_id, poli, mode, status, vitals, diagnoses, version, opened_at, closed_at',
      prescriptions: 'id, encounter_id, patient_id, prescriber_id, status, issued_at, dispensed_at',
      prescription_items: 'prescription_id, line, formulary_id, signa, quantity, days',
      referrals:
        'id, encounter_id, patient_id, referrer_id, hospital_code, hospital_name, specialty, diagnosis_code, reason, emergency, status, valid_until, created_at, updated_at',
      queue_counters: 'poli, day, last_number',
    };
    await db.transaction(async (tx) => {
      for (const [table, list] of Object.entries(rows)) {
        for (let i = 0; i < list.length; i += 200) {
          const chunk = list.slice(i, i + 200);
          const params: unknown[] = [];
          const values = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(',')})`).join(',');
          await tx.query(`INSERT INTO ${table} (${columns[table]}) VALUES ${values}`, params);
        }
      }
    });
  }
  return { visits: made, patients: nPatients };
}
