import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { demoIds } from './demo-ids.ts';
import { makeNik } from './identity-numbers.ts';
import { createStaff } from './staff.ts';
import { hashToken } from './queue.ts';
import { clinicDay, localInstant } from './clock.ts';
import type { ClinicSettings } from './settings.ts';
import type { Hospital } from './hospitals.ts';
import { replaceHospitals } from './hospital-list.ts';

/** Demo staff: printed at start in demo mode only. A production box gets its admin from `npm run setup`. */
export const demoStaff = [
  { username: 'admin', fullName: 'Admin Puskesmas', role: 'admin', password: 'demo-admin-123' },
  { username: 'dokter', fullName: 'dr. Andi Wijaya', role: 'doctor', password: 'demo-dokter-123' },
  { username: 'perawat', fullName: 'Ns. Dewi Lestari', role: 'nurse', password: 'demo-perawat-123' },
  { username: 'apoteker', fullName: 'apt. Rina Marlina', role: 'pharmacist', password: 'demo-apoteker-123' },
  // Also the account the staff-account examples of the API reference act on (deactivate, reset).
  { username: 'bidan', fullName: 'Bdn. Sri Wahyuni', role: 'midwife', password: 'demo-bidan-123' },
] as const;

// Common primary-care medicines (Formularium Nasional), with KFA-style codes (illustrative, as in
// central/testing/records.ts, not verified against the KFA): the district's formulary updates match by them.
const formulary: [string, string, string, string, string, number][] = [
  ['93001234', 'Parasetamol', '500 mg', 'tablet', 'tablet', 500],
  ['93001301', 'Amoksisilin', '500 mg', 'kapsul', 'kapsul', 300],
  ['93001455', 'Ibuprofen', '400 mg', 'tablet', 'tablet', 200],
  ['93002010', 'Antasida DOEN', '—', 'tablet kunyah', 'tablet', 300],
  ['93002102', 'Omeprazol', '20 mg', 'kapsul', 'kapsul', 100],
  ['93003007', 'Amlodipin', '5 mg', 'tablet', 'tablet', 400],
  ['93003015', 'Kaptopril', '25 mg', 'tablet', 'tablet', 200],
  ['93004001', 'Metformin', '500 mg', 'tablet', 'tablet', 400],
  ['93004020', 'Glibenklamid', '5 mg', 'tablet', 'tablet', 150],
  ['93005011', 'CTM (Klorfeniramin maleat)', '4 mg', 'tablet', 'tablet', 300],
  ['93006001', 'Oralit', '200 ml', 'serbuk', 'sachet', 200],
  ['93006010', 'Zinc', '20 mg', 'tablet dispersibel', 'tablet', 200],
  ['93008002', 'Tablet Tambah Darah (Fe + asam folat)', '60 mg/0,4 mg', 'tablet', 'tablet', 600],
  ['93007003', 'Salbutamol', '2 mg', 'tablet', 'tablet', 100],
  ['93009001', 'Deksametason', '0,5 mg', 'tablet', 'tablet', 100],
  ['93001320', 'Kotrimoksazol', '480 mg', 'tablet', 'tablet', 150],
  ['93001460', 'Asam mefenamat', '500 mg', 'tablet', 'tablet', 200],
  ['93010001', 'Vitamin B kompleks', '—', 'tablet', 'tablet', 500],
  ['93011001', 'Salep 2-4', '30 g', 'salep', 'tube', 40],
  ['93001302', 'Amoksisilin sirup', '125 mg/5 ml', 'sirup kering', 'botol', 60],
];

/**
 * The demo district's referral hospitals. `npm start` sends them from the hub (the path a
 * production box gets its list by); a demo box on its own (tests, `npm run start:box`) seeds them
 * as list version 0, which any list from a hub replaces.
 */
export const demoHospitals: Hospital[] = [
  {
    code: demoIds.hospital,
    name: 'RSUD Demo Kabupaten',
    specialties: ['Penyakit Dalam', 'Anak', 'Obstetri dan Ginekologi', 'Bedah', 'Neurologi', 'Jantung'],
    acceptsEmergency: true,
  },
  { code: '0112R002', name: 'RS Islam Demo', specialties: ['Penyakit Dalam', 'Anak', 'Mata', 'THT'], acceptsEmergency: false },
  { code: '0112R003', name: 'RS Bhayangkara Demo', specialties: ['Bedah', 'Ortopedi', 'Saraf'], acceptsEmergency: true },
];

/** The demo formulary as the district's list (what `npm start` publishes from the hub; same KFA codes as the seed). */
export const demoFormularyList = formulary.map(([kfaCode, name, strength, form, unit]) => ({ kfaCode, name, strength, form, unit, active: true }));

const patients: [string, 'L' | 'P', string, string | null][] = [
  ['Budi Santoso', 'L', '1975-08-17', '0001234567891'],
  ['Siti Aminah', 'P', '1988-02-05', '0001234567892'],
  ['Agus Salim', 'L', '1960-11-30', null],
  ['Nur Hidayah', 'P', '1995-06-21', '0001234567894'],
  ['Wayan Sudarta', 'L', '1982-01-09', '0001234567895'],
  ['Maria Goreti Bria', 'P', '2001-12-24', '0001234567896'],
];

/**
 * Seeds the demo puskesmas once (staff, patients, formulary, hospitals, one ticket).
 * `hospitalsFromCentre`: the hub sends the hospital list (npm start), the seed writes none.
 */
export async function seedDemo(db: Db, settings: ClinicSettings, opts: { hospitalsFromCentre?: boolean } = {}): Promise<boolean> {
  const seeded = await db.query(`SELECT 1 FROM staff WHERE username = 'admin'`);
  if (seeded.rows.length) return false;
  for (const s of demoStaff) await createStaff(db, s);
  await db.query(`UPDATE staff SET id = $1 WHERE username = 'bidan'`, [demoIds.staffExample]);
  await db.transaction(async (tx) => {
    for (const [i, [name, sex, birth, jkn]] of patients.entries()) {
      const id = i === 0 ? demoIds.patient : randomUUID();
      await tx.query(`INSERT INTO patients (id, full_name, nik, jkn_number, sex, birth_date, registered_here, address) VALUES ($1,$2,$3,$4,$5,$6,true,$7)`, [
        id,
        name,
        makeNik('332901', sex, birth, i + 1),
        jkn,
        sex,
        birth,
        'Desa Demo, Kec. Demo',
      ]);
    }
    // The demo patient's second record, made at the desk with a misspelt name and JKN number (the merge example), and an allergy.
    await tx.query(
      `INSERT INTO patients (id, full_name, jkn_number, sex, birth_date, registered_here, address) VALUES ($1,'Budi Santosa','0001234567899','L','1975-08-17',true,'Desa Demo')`,
      [demoIds.patientDuplicate],
    );
    await tx.query(`INSERT INTO patient_allergies (id, patient_id, substance, reaction) VALUES ($1,$2,'Amoksisilin','gatal dan bentol')`, [demoIds.allergy, demoIds.patient]);
    for (const [i, [kfaCode, name, strength, form, unit, stock]] of formulary.entries()) {
      const id = i === 0 ? demoIds.formularyParacetamol : randomUUID();
      await tx.query(`INSERT INTO formulary (id, kfa_code, name, strength, form, unit, stock) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [id, kfaCode, name, strength, form, unit, stock]);
      await tx.query(`INSERT INTO stock_movements (id, formulary_id, kind, quantity, reason) VALUES ($1,$2,'receipt',$3,'stok awal demo')`, [randomUUID(), id, stock]);
    }
    if (!opts.hospitalsFromCentre) await replaceHospitals(tx, demoHospitals);
  });
  await seedDemoTicket(db, settings);
  await seedDemoClinical(db);
  return true;
}

/**
 * The demo visit behind the clinical API's examples: an open audio-visual encounter on the demo
 * ticket, with an issued prescription (paracetamol) and a draft referral. Seeded directly (like
 * the formulary), so the outbox starts empty.
 */
async function seedDemoClinical(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const doctor = (await tx.query<{ id: string }>(`SELECT id FROM staff WHERE username = 'dokter'`)).rows[0].id;
    await tx.query(
      `INSERT INTO encounters (id, patient_id, ticket_id, doctor_id, poli, mode, status, subjective, objective, vitals, diagnoses)
       SELECT $1, patient_id, id, $2, poli, 'audio_visual', 'open', $3, $4, $5, $6 FROM queue_tickets WHERE id = $7
       ON CONFLICT (id) DO NOTHING`,
      [
        demoIds.encounter,
        doctor,
        'Demam 3 hari, batuk pilek, nyeri tenggorokan.',
        'Faring hiperemis, tidak ada sesak.',
        JSON.stringify({ systolic: 120, diastolic: 80, pulse: 88, respiratoryRate: 20, temperature: 38.2, spo2: 98, weight: 62, height: 165 }),
        JSON.stringify([{ code: 'J06.9', name: 'Infeksi saluran pernapasan atas akut, tidak spesifik', kind: 'primary' }]),
        demoIds.ticket,
      ],
    );
    await tx.query(`INSERT INTO prescriptions (id, encounter_id, patient_id, prescriber_id, status) VALUES ($1,$2,$3,$4,'issued') ON CONFLICT (id) DO NOTHING`, [
      demoIds.prescription,
      demoIds.encounter,
      demoIds.patient,
      doctor,
    ]);
    await tx.query(
      `INSERT INTO prescription_items (prescription_id, line, formulary_id, signa, quantity, days) VALUES ($1, 1, $2, '3 x 1 tablet bila demam', 10, 3)
       ON CONFLICT DO NOTHING`,
      [demoIds.prescription, demoIds.formularyParacetamol],
    );
    await tx.query(
      `INSERT INTO referrals (id, encounter_id, patient_id, referrer_id, hospital_code, hospital_name, specialty, diagnosis_code, reason, status, valid_until)
       VALUES ($1, $2, $3, $4, $5, $6, 'Penyakit Dalam', 'I10', 'Hipertensi tidak terkontrol dengan dua obat; mohon evaluasi dan tata laksana lanjut.', 'draft', current_date + 90)
       ON CONFLICT (id) DO NOTHING`,
      [demoIds.referral, demoIds.encounter, demoIds.patient, doctor, demoHospitals[0].code, demoHospitals[0].name],
    );
  });
}

/**
 * The documented API examples use known tickets: the demo patient's (with its link and the demo
 * encounter) and one per queue action, each in a state where its action works. They are re-made
 * each clinic day so that the examples keep working on a demo box left running.
 */
export async function seedDemoTicket(db: Db, settings: ClinicSettings): Promise<void> {
  const day = clinicDay(new Date(), settings.timeZone);
  const poli = settings.polis[0];
  const expiresAt = localInstant(day, settings.serviceEndsAt, settings.timeZone).toISOString();
  const tickets = [
    { id: demoIds.ticket, token: demoIds.ticketToken, patientId: demoIds.patient as string | null, status: 'waiting', room: null as string | null },
    { id: demoIds.queueExamples.skip, token: null, patientId: null, status: 'waiting', room: null },
    { id: demoIds.queueExamples.noShow, token: null, patientId: null, status: 'waiting', room: null },
    { id: demoIds.queueExamples.transfer, token: null, patientId: null, status: 'waiting', room: null },
    { id: demoIds.queueExamples.finish, token: null, patientId: null, status: 'called', room: poli.rooms[0] },
  ];
  await db.transaction(async (tx) => {
    // The demo encounter moves along with the demo ticket to the new day (see seedDemoClinical).
    await tx.query(`UPDATE encounters SET ticket_id = NULL WHERE id = $3 AND ticket_id = $1 AND EXISTS (SELECT 1 FROM queue_tickets WHERE id = $1 AND day <> $2)`, [
      demoIds.ticket,
      day,
      demoIds.encounter,
    ]);
    for (const t of tickets) {
      await tx.query(`DELETE FROM queue_tickets WHERE id = $1 AND day <> $2 AND NOT EXISTS (SELECT 1 FROM encounters WHERE ticket_id = $1)`, [t.id, day]);
      if ((await tx.query(`SELECT 1 FROM queue_tickets WHERE id = $1`, [t.id])).rows.length) continue;
      const { rows } = await tx.query<{ n: number }>(
        `INSERT INTO queue_counters (poli, day, last_number) VALUES ($1, $2, 1)
         ON CONFLICT (poli, day) DO UPDATE SET last_number = queue_counters.last_number + 1 RETURNING last_number AS n`,
        [poli.code, day],
      );
      await tx.query(
        `INSERT INTO queue_tickets (id, token_hash, day, poli, number, label, patient_id, source, status, room, called_at, expires_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,'desk',$8,$9,$10,$11)`,
        [
          t.id,
          hashToken(t.token ?? randomUUID()),
          day,
          poli.code,
          rows[0].n,
          `${poli.prefix}-${String(rows[0].n).padStart(3, '0')}`,
          t.patientId,
          t.status,
          t.room,
          t.status === 'called' ? new Date().toISOString() : null,
          expiresAt,
        ],
      );
    }
    await tx.query(`UPDATE encounters SET ticket_id = $1 WHERE id = $2 AND ticket_id IS NULL AND status = 'open'`, [demoIds.ticket, demoIds.encounter]);
  });
}
