/**
 * Realistic outbox records for tests and benchmarks, from a fixed seed: random UUIDs, varied
 * Indonesian names, complaints and referral reasons, real ICD-10 codes from the box's list and
 * dates spread over a month, so that compression is not flattered by repetition.
 * The payload shapes are those the clinic domain writes (appliance/clinic/*.ts → appendOutbox).
 */
import { readFileSync } from 'node:fs';
import type { RecordType } from '../contract/records.ts';

export interface GeneratedRecord {
  id: string;
  type: RecordType;
  schemaVersion: number;
  entityId: string;
  entityVersion: number;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('');
  const uuid = () => {
    const h = Array.from({ length: 32 }, () => int(0, 15).toString(16));
    h[12] = '4';
    h[16] = '89ab'[int(0, 3)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  return { next, int, pick, digits, uuid };
}

const firstL = [
  'Budi',
  'Agus',
  'Wayan',
  'Made',
  'Ketut',
  'Joko',
  'Slamet',
  'Bambang',
  'Andi',
  'Rizky',
  'Fajar',
  'Hendra',
  'Yohanes',
  'Petrus',
  'Marthen',
  'Dedi',
  'Asep',
  'Ujang',
  'Teguh',
  'Iwan',
  'Muhammad',
  'Ahmad',
  'Rahmat',
  'Sutrisno',
  'La Ode',
  'Gede',
  'Komang',
  'Daeng',
  'Ilham',
  'Yosef',
];
const firstP = [
  'Siti',
  'Nur',
  'Dewi',
  'Sri',
  'Ni Luh',
  'Maria',
  'Fransiska',
  'Yuliana',
  'Rina',
  'Wulan',
  'Ayu',
  'Putri',
  'Intan',
  'Fitri',
  'Aisyah',
  'Kartini',
  'Endang',
  'Lestari',
  'Yanti',
  'Rosalina',
  'Agustina',
  'Hartati',
  'Nengsih',
  'Euis',
  'Theresia',
  'Marlina',
  'Sumarni',
  'Wahyuni',
  'Andi Tenri',
  'Kadek',
];
const lasts = [
  'Santoso',
  'Wibowo',
  'Sudarta',
  'Hidayat',
  'Saputra',
  'Siregar',
  'Nasution',
  'Simanjuntak',
  'Lubis',
  'Harahap',
  'Manurung',
  'Pardede',
  'Kusuma',
  'Rahayu',
  'Purnama',
  'Setiawan',
  'Gunawan',
  'Bria',
  'Nahak',
  'Seran',
  'Tefa',
  'Ndun',
  'Lakapu',
  'Manafe',
  'Pah',
  'Mbura',
  'Daeng Ngalle',
  'Pattimura',
  'Latuconsina',
  'Wonda',
  'Kogoya',
  'Suryani',
  'Maharani',
  'Astuti',
  'Susanti',
  'Firmansyah',
  'Ramadhan',
  'Nugroho',
  'Prasetyo',
  'Hutapea',
];
const complaints = [
  'demam 3 hari',
  'batuk berdahak sejak seminggu',
  'pilek dan nyeri tenggorokan',
  'nyeri ulu hati setelah makan',
  'sakit kepala berdenyut',
  'diare cair 5 kali sehari',
  'gatal-gatal di lengan',
  'nyeri sendi lutut',
  'sesak napas saat beraktivitas',
  'pusing berputar',
  'mual dan muntah',
  'nyeri pinggang',
  'luka di kaki tidak sembuh',
  'kontrol tekanan darah',
  'kontrol gula darah',
  'periksa kehamilan',
  'sakit gigi berlubang',
  'mata merah berair',
  'telinga berdengung',
  'bercak putih di kulit',
  'lemas dan pucat',
  'nyeri dada kiri',
  'kejang pada anak',
  'berat badan turun',
];
const reasons = [
  'Hipertensi tidak terkontrol dengan dua obat; mohon evaluasi dan tata laksana lanjut.',
  'Curiga demam berdarah dengan tanda bahaya; trombosit turun.',
  'Diabetes melitus dengan ulkus kaki; perlu debridemen.',
  'Kehamilan risiko tinggi, preeklampsia; mohon penanganan spesialis.',
  'Nyeri dada tipikal, curiga sindrom koroner akut; rujuk segera.',
  'Katarak matur kedua mata, visus 1/60; mohon operasi.',
  'Otitis media kronik dengan sekret; perlu pemeriksaan THT.',
  'Anak gizi buruk dengan komplikasi; mohon rawat inap.',
  'Fraktur tertutup lengan bawah setelah jatuh dari motor.',
  'TB paru kasus kambuh; perlu uji kepekaan obat.',
  'Stroke: kelemahan separuh badan sejak 2 jam; rujukan gawat darurat.',
  'Asma eksaserbasi berat tidak membaik dengan nebulisasi.',
  'Gagal jantung, sesak bertambah; mohon ekokardiografi.',
  'Benjolan payudara 3 cm; mohon pemeriksaan bedah.',
];
const specialties = ['Penyakit Dalam', 'Anak', 'Obstetri dan Ginekologi', 'Bedah', 'Neurologi', 'Jantung', 'Mata', 'THT', 'Ortopedi', 'Paru'];
const hospitals: [string, string][] = [
  ['0112R001', 'RSUD Brebes'],
  ['0112R002', 'RS Islam Brebes'],
  ['0112R003', 'RS Bhayangkara Brebes'],
  ['1701R001', 'RSUD Prof. Dr. W. Z. Johannes Kupang'],
  ['1701R004', 'RS Siloam Kupang'],
  ['1302R001', 'RSUD Sanglah Denpasar'],
  ['0112R005', 'RSU Mitra Siaga Tegal'],
];
const medicines: [string, string, string, string][] = [
  ['93001234', 'Parasetamol', '500 mg', 'tablet'],
  ['93001301', 'Amoksisilin', '500 mg', 'kapsul'],
  ['93001455', 'Ibuprofen', '400 mg', 'tablet'],
  ['93002010', 'Antasida DOEN', '—', 'tablet kunyah'],
  ['93002102', 'Omeprazol', '20 mg', 'kapsul'],
  ['93003007', 'Amlodipin', '5 mg', 'tablet'],
  ['93003015', 'Kaptopril', '25 mg', 'tablet'],
  ['93004001', 'Metformin', '500 mg', 'tablet'],
  ['93004020', 'Glibenklamid', '5 mg', 'tablet'],
  ['93005011', 'CTM (Klorfeniramin maleat)', '4 mg', 'tablet'],
  ['93006001', 'Oralit', '200 ml', 'serbuk'],
  ['93006010', 'Zinc', '20 mg', 'tablet dispersibel'],
  ['93007003', 'Salbutamol', '2 mg', 'tablet'],
  ['93008002', 'Tablet Tambah Darah', '60 mg', 'tablet'],
];
const signas = [
  '3 x 1 tablet sesudah makan',
  '2 x 1 tablet',
  '1 x 1 tablet pagi hari',
  '3 x 1 bila demam',
  '3 x 1 kapsul sebelum makan',
  'larutkan 1 sachet tiap buang air',
  '1 x 1 tablet malam hari',
  '2 x 1 kapsul sebelum makan',
];
const polis = ['umum', 'gigi', 'kia', 'lansia', 'mtbs'];
const modes = ['in_person', 'in_person', 'in_person', 'audio_visual', 'audio_only', 'chat'] as const;

let icd: string[] | undefined;
function icdCodes(): string[] {
  icd ??= (JSON.parse(readFileSync(new URL('../../appliance/clinic/icd10-data.json', import.meta.url), 'utf8')) as { entries: [string, string][] }).entries.map((e) => e[0]);
  return icd;
}
let icdNames: Map<string, string> | undefined;
function icdName(code: string) {
  icdNames ??= new Map(
    (JSON.parse(readFileSync(new URL('../../appliance/clinic/icd10-data.json', import.meta.url), 'utf8')) as { entries: [string, string][] }).entries.map((e) => [e[0], e[1]]),
  );
  return icdNames.get(code) ?? code;
}

/**
 * `count` records in creation order, mixed as a busy puskesmas produces them: mostly encounter
 * summaries and prescriptions, some consents and referrals (with status changes as new versions),
 * a daily figures row per poli per day. `start` is the first record's time.
 */
export function generateRecords(count: number, opts: { seed?: number; facility?: string; start?: Date } = {}): GeneratedRecord[] {
  const r = seededRandom(opts.seed ?? 42);
  const facility = opts.facility ?? '0112P001';
  const start = (opts.start ?? new Date('2025-03-01T00:00:00Z')).getTime();
  const codes = icdCodes();
  const out: GeneratedRecord[] = [];
  const doctors = Array.from({ length: 3 }, () => ({ id: r.uuid(), name: `dr. ${r.pick([...firstL, ...firstP])} ${r.pick(lasts)}` }));
  const openReferrals: { id: string; version: number; payload: Record<string, unknown> }[] = [];
  // About 30 days for 10,000 records (a busy puskesmas): ~260 s between records.
  const step = (30 * 86400_000) / Math.max(count, 1);
  let t = start;
  let day = new Date(start).toISOString().slice(0, 10);
  const push = (rec: Omit<GeneratedRecord, 'schemaVersion' | 'createdAt'>) => out.push({ ...rec, schemaVersion: 1, createdAt: new Date(t).toISOString() });

  while (out.length < count) {
    t += Math.round(step * (0.5 + r.next()));
    const today = new Date(t).toISOString().slice(0, 10);
    if (today !== day) {
      for (const poli of polis.slice(0, r.int(2, 5))) {
        if (out.length >= count) break;
        const taken = r.int(5, 90);
        const served = r.int(Math.floor(taken * 0.7), taken);
        push({
          id: r.uuid(),
          type: 'queue_daily_figures',
          entityId: `${day}|${poli}`,
          entityVersion: 1,
          payload: {
            day,
            poli,
            taken,
            served,
            noShow: taken - served,
            averageWaitMinutes: Math.round(r.next() * 900) / 10,
            averageServiceMinutes: Math.round(r.next() * 250) / 10,
          },
        });
      }
      day = today;
      continue;
    }
    const sex = r.next() < 0.55 ? 'P' : 'L';
    const patient = {
      id: r.uuid(),
      name: `${r.pick(sex === 'P' ? firstP : firstL)} ${r.pick(lasts)}`,
      jknNumber: r.next() < 0.85 ? `000${r.digits(10)}` : null,
      nik: r.next() < 0.9 ? `${r.pick(['3329', '5371', '5103', '3201', '7371'])}${r.digits(12)}` : null,
      sex,
      birthDate: `${r.int(1940, 2024)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
    };
    const doctor = r.pick(doctors);
    const encId = r.uuid();
    const roll = r.next();
    if (openReferrals.length && roll < 0.06) {
      // A referral's later version (sent → accepted/scheduled …).
      const ref = openReferrals.shift()!;
      ref.version++;
      const status = r.pick(['sent', 'accepted', 'scheduled', 'used']);
      const payload = { ...ref.payload, status, version: ref.version, scheduledFor: status === 'scheduled' ? today : null, updatedAt: new Date(t).toISOString() };
      push({ id: r.uuid(), type: 'referral', entityId: ref.id, entityVersion: ref.version, payload });
      continue;
    }
    if (roll < 0.14) {
      const id = r.uuid();
      const code = r.pick(codes);
      const [hc, hn] = r.pick(hospitals);
      const payload = {
        id,
        facility,
        encounterId: encId,
        status: 'issued',
        version: 2,
        patient,
        referrer: doctor,
        hospital: { code: hc, name: hn },
        specialty: r.pick(specialties),
        diagnosis: { code, name: icdName(code) },
        reason: `${r.pick(complaints)}; ${r.pick(reasons)}`,
        emergency: r.next() < 0.1,
        validUntil: new Date(t + 90 * 86400_000).toISOString().slice(0, 10),
        scheduledFor: null,
        answerNote: null,
        createdAt: new Date(t).toISOString(),
        updatedAt: new Date(t).toISOString(),
      };
      openReferrals.push({ id, version: 2, payload });
      push({ id: r.uuid(), type: 'referral', entityId: id, entityVersion: 2, payload });
      continue;
    }
    if (roll < 0.22) {
      const id = r.uuid();
      push({
        id: r.uuid(),
        type: 'consent',
        entityId: id,
        entityVersion: 1,
        payload: {
          id,
          encounterId: encId,
          patientId: patient.id,
          method: r.pick(['patient_tap', 'verbal']),
          recordedBy: doctor.id,
          givenAt: new Date(t).toISOString(),
          withdrawnAt: null,
          withdrawnBy: null,
          version: 1,
        },
      });
      continue;
    }
    if (roll < 0.55) {
      const id = r.uuid();
      const items = Array.from({ length: r.int(1, 4) }, (_, i) => {
        const [kfaCode, name, strength, form] = r.pick(medicines);
        return { line: i + 1, kfaCode, name, strength, form, signa: r.pick(signas), quantity: r.int(3, 30), days: r.int(3, 10) };
      });
      const dispensed = r.next() < 0.8;
      push({
        id: r.uuid(),
        type: 'prescription',
        entityId: id,
        entityVersion: dispensed ? 2 : 1,
        payload: {
          id,
          encounterId: encId,
          patientId: patient.id,
          prescriber: doctor,
          status: dispensed ? 'dispensed' : 'issued',
          issuedAt: new Date(t - 600_000).toISOString(),
          dispensedAt: dispensed ? new Date(t).toISOString() : null,
          pickedUpAt: null,
          version: dispensed ? 2 : 1,
          items,
        },
      });
      continue;
    }
    const code = r.pick(codes);
    push({
      id: r.uuid(),
      type: 'encounter_summary',
      entityId: encId,
      entityVersion: 2,
      payload: {
        id: encId,
        facility,
        poli: r.pick(polis),
        mode: r.pick(modes),
        patient: { id: patient.id, jknNumber: patient.jknNumber, nik: patient.nik, sex, birthDate: patient.birthDate },
        doctor,
        openedAt: new Date(t - r.int(5, 40) * 60_000).toISOString(),
        closedAt: new Date(t).toISOString(),
        vitals: { systolic: r.int(95, 190), diastolic: r.int(60, 110), pulse: r.int(60, 120), temperature: Math.round((36 + r.next() * 3) * 10) / 10, weight: r.int(8, 95) },
        diagnoses: [{ code, kind: 'primary' }, ...(r.next() < 0.3 ? [{ code: r.pick(codes), kind: 'secondary' }] : [])],
        prescriptions: r.int(0, 1),
        referrals: 0,
      },
    });
  }
  return out;
}
