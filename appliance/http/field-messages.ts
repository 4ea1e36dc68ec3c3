/**
 * Validation errors a nurse can read: each refused field as its path (machine), a message key
 * (machine, for the page's word catalog) and a sentence in Bahasa Indonesia and in English that
 * says what to do — never zod's developer English ("Invalid input: expected string, received
 * undefined"), a raw pattern (/^\+?\d{8,15}$/) or an internal path ("items.0.quantity").
 *
 * The words live here, keyed, until the box's word catalog (helper browser) takes these keys over.
 */
import type { ClinicError } from '../clinic/errors.ts';
import { tr, type Lang } from './i18n.ts';

export interface FieldIssue {
  /** The field, as a path into the request ("items.0.quantity"). */
  path: string;
  /** What is wrong, for a catalog: `field.required`, `field.too_long`, `nik.sex_mismatch`, … */
  key: string;
  /** The sentence in the request's language: "Obat ke-1 — Jumlah: paling sedikit 1." */
  message: string;
  /** Both languages. */
  text: { id: string; en: string };
}

type Pair = [string, string];

/** What a field is called on the forms. */
const fieldNames: Record<string, Pair> = {
  fullName: ['Nama lengkap', 'Full name'], nik: ['NIK', 'NIK'], jknNumber: ['Nomor kartu JKN', 'JKN card number'], sex: ['Jenis kelamin', 'Sex'],
  birthDate: ['Tanggal lahir', 'Date of birth'], phone: ['Nomor HP', 'Phone number'], address: ['Alamat', 'Address'], registeredHere: ['Terdaftar di sini', 'Registered here'],
  username: ['Nama pengguna', 'Username'], password: ['Kata sandi', 'Password'], newPassword: ['Kata sandi baru', 'New password'], currentPassword: ['Kata sandi sekarang', 'Current password'],
  role: ['Peran', 'Role'], poli: ['Poli', 'Poli'], room: ['Ruang', 'Room'], patientId: ['Pasien', 'Patient'], ticketId: ['Nomor antrean', 'Queue number'],
  mode: ['Cara layanan', 'Mode'], subjective: ['Keluhan (S)', 'Subjective (S)'], objective: ['Pemeriksaan (O)', 'Objective (O)'], assessment: ['Penilaian (A)', 'Assessment (A)'],
  plan: ['Rencana (P)', 'Plan (P)'], vitals: ['Tanda vital', 'Vital signs'], systolic: ['Tekanan darah sistolik', 'Systolic pressure'], diastolic: ['Tekanan darah diastolik', 'Diastolic pressure'],
  pulse: ['Nadi', 'Pulse'], respiratoryRate: ['Frekuensi napas', 'Respiratory rate'], temperature: ['Suhu', 'Temperature'], spo2: ['SpO2', 'SpO2'], weight: ['Berat badan', 'Weight'],
  height: ['Tinggi badan', 'Height'], diagnoses: ['Diagnosis', 'Diagnoses'], code: ['Kode', 'Code'], kind: ['Jenis', 'Kind'], items: ['Obat', 'Medicines'],
  formularyId: ['Obat', 'Medicine'], signa: ['Aturan pakai', 'Directions'], quantity: ['Jumlah', 'Quantity'], days: ['Lama (hari)', 'Days'], note: ['Catatan', 'Note'],
  encounterId: ['Kunjungan', 'Visit'], hospitalCode: ['Rumah sakit', 'Hospital'], specialty: ['Spesialis', 'Specialty'], diagnosisCode: ['Diagnosis rujukan', 'Referral diagnosis'],
  reason: ['Alasan rujukan', 'Reason for referral'], validUntil: ['Berlaku sampai', 'Valid until'], emergency: ['Gawat darurat', 'Emergency'], substance: ['Zat/obat penyebab alergi', 'Allergen'],
  reaction: ['Reaksi', 'Reaction'], duplicateId: ['Data ganda', 'Duplicate record'], version: ['Versi', 'Version'], from: ['Dari tanggal', 'From'], to: ['Sampai tanggal', 'To'],
  q: ['Pencarian', 'Search'], period: ['Periode', 'Period'], kfaCode: ['Kode KFA', 'KFA code'], stock: ['Stok', 'Stock'], unit: ['Satuan', 'Unit'], name: ['Nama', 'Name'],
  strength: ['Kekuatan', 'Strength'], form: ['Bentuk sediaan', 'Form'],
};

/** "items.0.quantity" → "Obat ke-1 — Jumlah"; "vitals.systolic" → "Tekanan darah sistolik". */
export function fieldLabel(path: string, lang: Lang): string {
  const parts = path.split('.').filter(Boolean);
  if (!parts.length) return tr(lang, 'Isian', 'Input');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const next = parts[i + 1];
    if (/^\d+$/.test(p)) continue;
    const name = fieldNames[p] ? tr(lang, ...fieldNames[p]) : p;
    if (next !== undefined && /^\d+$/.test(next)) out.push(tr(lang, `${name} ke-${Number(next) + 1}`, `${name} no. ${Number(next) + 1}`));
    else if (p === 'vitals' && next) continue; // the vital's own name says it
    else out.push(name);
  }
  return out.join(' — ');
}

/** What to write in a field whose pattern did not match, by the field's name. */
const formats: Record<string, Pair> = {
  nik: ['isi 16 angka NIK dari KTP atau KK, tanpa spasi.', 'enter the 16 digits of the NIK from the ID or family card, no spaces.'],
  jknNumber: ['isi 13 angka nomor kartu JKN/KIS, tanpa spasi.', 'enter the 13 digits of the JKN/KIS card, no spaces.'],
  phone: ['isi 8–15 angka, boleh diawali +, tanpa spasi atau tanda hubung (contoh 081234567890).', 'enter 8–15 digits, optionally starting with +, no spaces or dashes (e.g. 081234567890).'],
  birthDate: ['pilih tanggal (format TTTT-BB-HH, contoh 1990-03-12).', 'pick a date (format YYYY-MM-DD, e.g. 1990-03-12).'],
  validUntil: ['pilih tanggal (format TTTT-BB-HH).', 'pick a date (format YYYY-MM-DD).'],
  username: ['pakai huruf kecil, angka, titik, garis bawah atau tanda hubung; 3–32 karakter, diawali huruf.', 'use lowercase letters, digits, dots, underscores or dashes; 3–32 characters, starting with a letter.'],
  code: ['isi kode ICD-10 seperti J06.9, atau cari dengan kata-kata.', 'enter an ICD-10 code such as J06.9, or search by words.'],
  diagnosisCode: ['isi kode ICD-10 seperti I10, atau cari dengan kata-kata.', 'enter an ICD-10 code such as I10, or search by words.'],
  period: ['isi tanggal TTTT-BB-HH atau bulan TTTT-BB.', 'enter a day YYYY-MM-DD or a month YYYY-MM.'],
  from: ['isi tanggal (TTTT-BB-HH) atau tanggal dan jam.', 'enter a date (YYYY-MM-DD) or a date and time.'],
  to: ['isi tanggal (TTTT-BB-HH) atau tanggal dan jam.', 'enter a date (YYYY-MM-DD) or a date and time.'],
};

/** Refinements whose message is a sentence of ours, by that message. */
const refinements: Record<string, [string, Pair]> = {
  'a NIK or a JKN card number is required': ['patient.nik_or_jkn_required', ['isi NIK atau nomor kartu JKN (salah satu wajib).', 'enter a NIK or a JKN card number (one is required).']],
  'at most one primary diagnosis': ['diagnoses.one_primary', ['pilih hanya satu diagnosis utama; yang lain jadikan diagnosis tambahan.', 'choose only one primary diagnosis; make the others secondary.']],
  'a code appears twice': ['diagnoses.duplicate', ['kode yang sama tercantum dua kali; hapus salah satu.', 'the same code is listed twice; remove one.']],
  'not a code in the box’s ICD-10 list': ['icd10.unknown', ['kode ini tidak ada di daftar ICD-10 kotak; cari dengan kata-kata lalu pilih dari daftar.', 'this code is not in the box’s ICD-10 list; search by words and pick from the list.']],
  'not a real date': ['field.not_a_date', ['tanggal ini tidak ada di kalender; periksa hari dan bulannya.', 'this date does not exist; check the day and month.']],
  period_not_a_date: ['field.not_a_date', ['tanggal ini tidak ada di kalender; periksa hari dan bulannya.', 'this date does not exist; check the day and month.']],
  'nothing to change': ['field.nothing_to_change', ['tidak ada yang diubah; isi atau ubah salah satu isian.', 'nothing was changed; fill in or change a field.']],
  'contains a character that cannot be stored (NUL or a lone surrogate)': ['field.unstorable', ['ada karakter yang tidak bisa disimpan; ketik ulang isian ini.', 'it holds a character that cannot be stored; type it again.']],
  'expected a date or date-time': ['field.not_a_date', ['isi tanggal (TTTT-BB-HH) atau tanggal dan jam.', 'enter a date (YYYY-MM-DD) or a date and time.']],
};

/** The parts of a zod issue this needs (zod 4's issue shapes, loosely). */
export interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  format?: string;
  values?: unknown[];
  keys?: string[];
  expected?: string;
}

function issue(path: string, key: string, lang: Lang, what: Pair): FieldIssue {
  const label = [fieldLabel(path, 'id'), fieldLabel(path, 'en')];
  const text = { id: `${label[0]}: ${what[0]}`, en: `${label[1]}: ${what[1]}` };
  return { path, key, message: lang === 'en' ? text.en : text.id, text };
}

export function fieldIssueOfZod(i: ZodIssueLike, lang: Lang): FieldIssue {
  const path = i.path.map(String).join('.');
  const last = String(i.path.filter((p) => typeof p === 'string').at(-1) ?? '');
  const n = (v: number | bigint | undefined) => String(v ?? '');
  switch (i.code) {
    case 'invalid_type':
      if (/received undefined/.test(i.message)) return issue(path, 'field.required', lang, ['wajib diisi.', 'required: fill it in.']);
      if (i.expected === 'number' || i.expected === 'int') return issue(path, 'field.number', lang, ['isi dengan angka (pakai titik untuk desimal, contoh 37.5).', 'enter a number (a dot for decimals, e.g. 37.5).']);
      if (i.expected === 'boolean') return issue(path, 'field.yes_no', lang, ['pilih ya atau tidak.', 'choose yes or no.']);
      if (i.expected === 'array') return issue(path, 'field.list', lang, ['isi sebagai daftar.', 'send a list.']);
      if (i.expected === 'object') return issue(path, 'field.form', lang, ['isian formulir tidak lengkap; muat ulang halaman lalu isi lagi.', 'the form is incomplete; reload the page and fill it in again.']);
      return issue(path, 'field.text', lang, ['isi dengan teks.', 'enter text.']);
    case 'too_small':
      if (i.origin === 'string') {
        return Number(i.minimum) <= 1
          ? issue(path, 'field.required', lang, ['wajib diisi.', 'required: fill it in.'])
          : issue(path, 'field.too_short', lang, [`terlalu pendek: paling sedikit ${n(i.minimum)} karakter.`, `too short: at least ${n(i.minimum)} characters.`]);
      }
      if (i.origin === 'array') return issue(path, 'field.too_few', lang, [`isi paling sedikit ${n(i.minimum)}.`, `add at least ${n(i.minimum)}.`]);
      return issue(path, 'field.too_small', lang, [`paling sedikit ${n(i.minimum)}.`, `at least ${n(i.minimum)}.`]);
    case 'too_big':
      if (i.origin === 'string') return issue(path, 'field.too_long', lang, [`terlalu panjang: paling banyak ${n(i.maximum)} karakter. Singkatkan.`, `too long: at most ${n(i.maximum)} characters. Shorten it.`]);
      if (i.origin === 'array') return issue(path, 'field.too_many', lang, [`paling banyak ${n(i.maximum)}. Hapus sebagian.`, `at most ${n(i.maximum)}. Remove some.`]);
      return issue(path, 'field.too_big', lang, [`paling banyak ${n(i.maximum)}.`, `at most ${n(i.maximum)}.`]);
    case 'invalid_format':
    case 'invalid_string':
      if (formats[last]) return issue(path, `${last}.format`, lang, formats[last]);
      if (i.format === 'uuid') return issue(path, 'field.choose', lang, ['pilih dari daftar (yang dikirim tidak dikenal).', 'pick from the list (what was sent is not known).']);
      return issue(path, 'field.format', lang, ['bentuknya tidak sesuai; periksa lagi.', 'not in the expected form; check it.']);
    case 'invalid_value':
    case 'invalid_enum_value': {
      const values = (i.values ?? []).map(String).join(', ');
      return issue(path, 'field.choose', lang, [`pilih salah satu: ${values}.`, `choose one of: ${values}.`]);
    }
    case 'unrecognized_keys': {
      const keys = (i.keys ?? []).join(', ');
      return issue(path, 'field.unknown', lang, [`isian tidak dikenal (${keys}); muat ulang halaman.`, `unknown fields (${keys}); reload the page.`]);
    }
    case 'invalid_union':
      return issue(path, 'field.format', lang, ['bentuknya tidak sesuai; periksa lagi.', 'not in the expected form; check it.']);
    default: {
      const known = refinements[i.message];
      if (known) return issue(path, known[0], lang, known[1]);
      return issue(path, 'field.invalid', lang, ['isian ini tidak sesuai; periksa lagi.', 'this is not valid; check it.']);
    }
  }
}

/** The answer's one-line message for a list of field issues: how many, and the first. */
export function validationMessage(issues: FieldIssue[], lang: Lang): string {
  if (!issues.length) return tr(lang, 'Permintaan tidak sesuai format.', 'The request is malformed.');
  const first = issues[0].message;
  return issues.length === 1 ? first : tr(lang, `${issues.length} isian perlu diperbaiki. ${first}`, `${issues.length} fields need fixing. ${first}`);
}

/** The domain's refusals about one field, by `details.problem` (or the error code and field). */
const problems: Record<string, [string, Pair]> = {
  'nik.not_16_digits': ['nik.not_16_digits', ['NIK harus 16 angka.', 'the NIK has 16 digits.']],
  'nik.unknown_province': ['nik.unknown_province', ['dua angka pertama NIK bukan kode provinsi; periksa lagi dari KTP/KK.', 'the first two digits are not a province code; check the ID card.']],
  'nik.invalid_region': ['nik.invalid_region', ['kode wilayah di NIK tidak sah; periksa lagi dari KTP/KK.', 'the region code in the NIK is not valid; check the ID card.']],
  'nik.invalid_birth_date': ['nik.invalid_birth_date', ['tanggal lahir di dalam NIK tidak sah; periksa lagi dari KTP/KK.', 'the birth date inside the NIK is not valid; check the ID card.']],
  'nik.invalid_serial': ['nik.invalid_serial', ['empat angka terakhir NIK tidak boleh 0000.', 'the last four digits of the NIK cannot be 0000.']],
  'nik.sex_mismatch': ['nik.sex_mismatch', ['NIK tidak cocok dengan jenis kelamin (perempuan: tanggal lahir di NIK ditambah 40). Periksa NIK atau jenis kelamin.', 'the NIK does not match the sex (women: birth day + 40). Check the NIK or the sex.']],
  'nik.birth_date_mismatch': ['nik.birth_date_mismatch', ['NIK tidak cocok dengan tanggal lahir. Periksa NIK atau tanggal lahir.', 'the NIK does not match the date of birth. Check either.']],
  'nik.nik_or_jkn_required': ['patient.nik_or_jkn_required', ['isi NIK atau nomor kartu JKN (salah satu wajib).', 'enter a NIK or a JKN card number (one is required).']],
  'birthDate.future': ['birthDate.future', ['tanggal lahir tidak boleh sesudah hari ini.', 'the date of birth cannot be after today.']],
  'validUntil.past': ['referral.valid_until_past', ['tanggal berlaku sudah lewat; pilih hari ini atau sesudahnya.', 'that date has passed; choose today or later.']],
  'validUntil.too_far': ['referral.valid_until_too_far', ['paling lama satu tahun dari hari ini.', 'at most a year from today.']],
  'vitals.diastolic.not_below_systolic': ['vitals.diastolic_not_below_systolic', ['harus lebih rendah dari sistolik; periksa kedua angka tekanan darah.', 'must be below the systolic; check both blood pressure figures.']],
  'diagnoses.no_primary': ['encounter.no_primary', ['pilih satu diagnosis utama sebelum menutup kunjungan.', 'choose a primary diagnosis before closing the visit.']],
  'ticketId.no_patient': ['ticket.no_patient', ['nomor ini belum terhubung dengan pasien; hubungkan pasien terdaftar dulu di meja antrean.', 'this number has no patient yet; link a registered patient at the queue desk first.']],
  'id.own_account': ['staff.own_account', ['akun Anda sendiri tidak bisa dinonaktifkan.', 'you cannot deactivate your own account.']],
  'id.last_admin': ['staff.last_admin', ['ini admin aktif terakhir; buat admin lain dulu.', 'this is the last active admin; create another admin first.']],
  'duplicateId.same_record': ['patient.merge_same', ['pilih data pasien yang lain (tidak bisa digabung dengan dirinya sendiri).', 'choose another record (a record cannot merge into itself).']],
  'username.conflict': ['staff.username_taken', ['nama pengguna ini sudah dipakai; pilih yang lain.', 'this username is taken; choose another.']],
  'room.invalid': ['queue.unknown_room', ['ruang ini tidak ada di poli ini; pilih dari daftar.', 'this room is not in the poli; pick from the list.']],
  'poli.invalid': ['queue.unknown_poli', ['pilih poli dari daftar.', 'pick a poli from the list.']],
  'hospitalCode.invalid': ['referral.unknown_hospital', ['rumah sakit ini tidak ada di daftar; pilih dari daftar.', 'this hospital is not on the list; pick from it.']],
  'specialty.invalid': ['referral.unknown_specialty', ['rumah sakit ini tidak punya layanan spesialis itu; pilih dari daftarnya.', 'the hospital has no such service; pick from its list.']],
  'period.period_format': ['report.period_format', ['isi tanggal TTTT-BB-HH atau bulan TTTT-BB.', 'enter a day YYYY-MM-DD or a month YYYY-MM.']],
};

/** Field issues for a domain error about one field (details.field), in both languages; null when it is not about a field. */
export function fieldIssuesOfClinicError(err: ClinicError, lang: Lang): FieldIssue[] | null {
  const d = err.details as { field?: unknown; problem?: unknown; issues?: { path: string; message: string; code?: string }[] };
  if (Array.isArray(d.issues)) {
    // A domain input parsed with zod (encounters' parseInput): the zod issues it carried.
    return d.issues.map((i) => fieldIssueOfZod({ ...(i as unknown as Partial<ZodIssueLike>), code: i.code ?? 'custom', path: i.path ? i.path.split('.') : [], message: i.message }, lang));
  }
  if (err.code === 'conflict' && typeof (d as { patientId?: unknown }).patientId === 'string') {
    return [issue('nik', 'patient.exists', lang, ['pasien dengan NIK atau nomor JKN ini sudah terdaftar; pakai data yang sudah ada.', 'a patient with this NIK or JKN number is registered; use that record.'])];
  }
  if (typeof d.field !== 'string') return null;
  const field = d.field;
  const key = `${field}.${typeof d.problem === 'string' ? d.problem : err.code}`;
  const known = problems[key] ?? (/^items\.\d+\.formularyId$/.test(field) ? ['prescription.not_in_formulary', ['obat ini tidak ada di formularium; pilih dari daftar.', 'this medicine is not in the formulary; pick from the list.']] as [string, Pair] : undefined);
  if (!known) return [issue(field, 'field.invalid', lang, ['isian ini tidak sesuai; periksa lagi.', 'this is not valid; check it.'])];
  return [issue(field, known[0], lang, known[1])];
}

/** The message of a stock refusal, with the medicine and the figures, in one language. */
export function stockMessage(details: Record<string, unknown>, lang: Lang): string | undefined {
  const { medicine, needed, available, unit } = details as { medicine?: string; needed?: number; available?: number; unit?: string };
  if (!medicine) return undefined;
  return tr(lang,
    `Stok ${medicine} tidak cukup: perlu ${needed} ${unit ?? ''}, tersedia ${available}. Kurangi jumlah atau catat penerimaan stok dulu.`.replace('  ', ' '),
    `Not enough ${medicine}: ${needed} ${unit ?? ''} needed, ${available} in stock. Reduce the quantity or record a stock receipt first.`.replace('  ', ' '));
}
