/**
 * Validation errors a nurse can read: each refused field as its path (machine), a message key
 * (machine, for the page's word catalog) and a sentence in Bahasa Indonesia and in English that
 * says what to do — never zod's developer English ("Invalid input: expected string, received
 * undefined"), a raw pattern (/^\+?\d{8,15}$/) or an internal path ("items.0.quantity").
 *
 * The words live in the box's word catalog (appliance/words), under `field_*` (what a field is
 * called), `fmt_*` (what to write in a field of a given pattern) and `fm_*` (what is wrong).
 */
import { reportRangeMaxDays } from '../clinic/reports.ts';
import type { ClinicError } from '../clinic/errors.ts';
import { format, type Lang, type WordKey, words } from '../words/index.ts';

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

/** A word of the catalog, with the values of its `{placeholders}`. */
type Said = [WordKey, Record<string, string | number>?];

/** What a field is called on the forms. */
const fieldNames: Record<string, WordKey> = {
  fullName: 'fullName',
  nik: 'field_nik',
  jknNumber: 'jknCardNumber',
  sex: 'sex',
  birthDate: 'field_birthDate',
  phone: 'field_phone',
  address: 'field_address',
  registeredHere: 'field_registeredHere',
  username: 'username',
  password: 'password',
  newPassword: 'field_newPassword',
  currentPassword: 'field_currentPassword',
  role: 'role',
  poli: 'field_poli',
  room: 'roomLabel',
  patientId: 'patient',
  ticketId: 'field_ticketId',
  mode: 'field_mode',
  subjective: 'field_subjective',
  objective: 'field_objective',
  assessment: 'field_assessment',
  plan: 'field_plan',
  vitals: 'vitalSigns',
  systolic: 'field_systolic',
  diastolic: 'field_diastolic',
  pulse: 'field_pulse',
  respiratoryRate: 'field_respiratoryRate',
  temperature: 'field_temperature',
  spo2: 'field_spo2',
  weight: 'field_weight',
  height: 'field_height',
  diagnoses: 'field_diagnoses',
  code: 'field_code',
  kind: 'field_kind',
  items: 'field_items',
  formularyId: 'medicine',
  signa: 'field_signa',
  quantity: 'quantity',
  days: 'field_days',
  note: 'field_note',
  encounterId: 'field_encounterId',
  hospitalCode: 'field_hospitalCode',
  specialty: 'field_specialty',
  diagnosisCode: 'field_diagnosisCode',
  reason: 'field_reason',
  validUntil: 'field_validUntil',
  emergency: 'field_emergency',
  substance: 'field_substance',
  reaction: 'field_reaction',
  duplicateId: 'field_duplicateId',
  version: 'field_version',
  from: 'from',
  to: 'to',
  q: 'field_q',
  period: 'field_period',
  kfaCode: 'field_kfaCode',
  stock: 'stockHeader',
  unit: 'field_unit',
  name: 'name',
  strength: 'field_strength',
  form: 'field_form',
};

/** "items.0.quantity" → "Obat ke-1 — Jumlah"; "vitals.systolic" → "Tekanan darah sistolik". */
export function fieldLabel(path: string, lang: Lang): string {
  const parts = path.split('.').filter(Boolean);
  const w = words(lang);
  if (!parts.length) return w.field_input;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const next = parts[i + 1];
    if (/^\d+$/.test(p)) continue;
    const name = fieldNames[p] ? w[fieldNames[p]] : p;
    if (next !== undefined && /^\d+$/.test(next)) out.push(format(w.field_nth, { name, n: Number(next) + 1 }));
    else if (p === 'vitals' && next)
      continue; // the vital's own name says it
    else out.push(name);
  }
  return out.join(' — ');
}

/** What to write in a field whose pattern did not match, by the field's name. */
const formats: Record<string, Said> = {
  nik: ['fmt_nik'],
  jknNumber: ['fmt_jknNumber'],
  phone: ['fmt_phone'],
  birthDate: ['fmt_birthDate'],
  validUntil: ['fmt_validUntil'],
  username: ['fmt_username'],
  code: ['fmt_code'],
  diagnosisCode: ['fmt_diagnosisCode'],
  period: ['fmt_period'],
  from: ['fmt_dateOrTime'],
  to: ['fmt_dateOrTime'],
};

/** Refinements whose message is a sentence of ours, by that message. */
const refinements: Record<string, [string, Said]> = {
  'a NIK or a JKN card number is required': ['patient.nik_or_jkn_required', ['fm_nikOrJkn']],
  'at most one primary diagnosis': ['diagnoses.one_primary', ['fm_onePrimary']],
  'a code appears twice': ['diagnoses.duplicate', ['fm_duplicateCode']],
  'not a code in the box’s ICD-10 list': ['icd10.unknown', ['fm_icd10Unknown']],
  'not a real date': ['field.not_a_date', ['fm_notADate']],
  period_not_a_date: ['field.not_a_date', ['fm_notADate']],
  period_range_reversed: ['report.range_reversed', ['rep_rangeReversed']],
  period_range_too_long: ['report.range_too_long', ['rep_rangeTooLong', { days: reportRangeMaxDays }]],
  'nothing to change': ['field.nothing_to_change', ['fm_nothingToChange']],
  'contains a character that cannot be stored (NUL or a lone surrogate)': ['field.unstorable', ['fm_unstorable']],
  'expected a date or date-time': ['field.not_a_date', ['fmt_dateOrTime']],
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

function issue(path: string, key: string, lang: Lang, [word, vars]: Said): FieldIssue {
  const said = (l: Lang) => format(words(l).field_issue, { field: fieldLabel(path, l), problem: format(words(l)[word], vars ?? {}) });
  const text = { id: said('id'), en: said('en') };
  return { path, key, message: lang === 'en' ? text.en : text.id, text };
}

export function fieldIssueOfZod(i: ZodIssueLike, lang: Lang): FieldIssue {
  const path = i.path.map(String).join('.');
  const last = String(i.path.filter((p) => typeof p === 'string').at(-1) ?? '');
  const n = (v: number | bigint | undefined) => String(v ?? '');
  switch (i.code) {
    case 'invalid_type':
      if (/received undefined/.test(i.message)) return issue(path, 'field.required', lang, ['fm_required']);
      if (i.expected === 'number' || i.expected === 'int') return issue(path, 'field.number', lang, ['fm_number']);
      if (i.expected === 'boolean') return issue(path, 'field.yes_no', lang, ['fm_yesNo']);
      if (i.expected === 'array') return issue(path, 'field.list', lang, ['fm_list']);
      if (i.expected === 'object') return issue(path, 'field.form', lang, ['fm_form']);
      return issue(path, 'field.text', lang, ['fm_text']);
    case 'too_small':
      if (i.origin === 'string') {
        return Number(i.minimum) <= 1 ? issue(path, 'field.required', lang, ['fm_required']) : issue(path, 'field.too_short', lang, ['fm_tooShort', { min: n(i.minimum) }]);
      }
      if (i.origin === 'array') return issue(path, 'field.too_few', lang, ['fm_tooFew', { min: n(i.minimum) }]);
      return issue(path, 'field.too_small', lang, ['fm_tooSmall', { min: n(i.minimum) }]);
    case 'too_big':
      if (i.origin === 'string') return issue(path, 'field.too_long', lang, ['fm_tooLong', { max: n(i.maximum) }]);
      if (i.origin === 'array') return issue(path, 'field.too_many', lang, ['fm_tooMany', { max: n(i.maximum) }]);
      return issue(path, 'field.too_big', lang, ['fm_tooBig', { max: n(i.maximum) }]);
    case 'invalid_format':
    case 'invalid_string':
      if (formats[last]) return issue(path, `${last}.format`, lang, formats[last]);
      if (i.format === 'uuid') return issue(path, 'field.choose', lang, ['fm_chooseFromList']);
      return issue(path, 'field.format', lang, ['fm_format']);
    case 'invalid_value':
    case 'invalid_enum_value': {
      const values = (i.values ?? []).map(String).join(', ');
      return issue(path, 'field.choose', lang, ['fm_chooseOne', { values }]);
    }
    case 'unrecognized_keys': {
      const keys = (i.keys ?? []).join(', ');
      return issue(path, 'field.unknown', lang, ['fm_unknownFields', { keys }]);
    }
    case 'invalid_union':
      return issue(path, 'field.format', lang, ['fm_format']);
    default: {
      const known = refinements[i.message];
      if (known) return issue(path, known[0], lang, known[1]);
      return issue(path, 'field.invalid', lang, ['fm_invalid']);
    }
  }
}

/** The answer's one-line message for a list of field issues: how many, and the first. */
export function validationMessage(issues: FieldIssue[], lang: Lang): string {
  const w = words(lang);
  if (!issues.length) return w.fm_malformed;
  const first = issues[0].message;
  return issues.length === 1 ? first : format(w.fm_manyIssues, { n: issues.length, first });
}

/** The domain's refusals about one field, by `details.problem` (or the error code and field). */
const problems: Record<string, [string, Said]> = {
  'nik.not_16_digits': ['nik.not_16_digits', ['fm_nik16']],
  'nik.unknown_province': ['nik.unknown_province', ['fm_nikProvince']],
  'nik.invalid_region': ['nik.invalid_region', ['fm_nikRegion']],
  'nik.invalid_birth_date': ['nik.invalid_birth_date', ['fm_nikBirthDate']],
  'nik.invalid_serial': ['nik.invalid_serial', ['fm_nikSerial']],
  'nik.sex_mismatch': ['nik.sex_mismatch', ['fm_nikSex']],
  'nik.birth_date_mismatch': ['nik.birth_date_mismatch', ['fm_nikBirthDateMismatch']],
  'nik.nik_or_jkn_required': ['patient.nik_or_jkn_required', ['fm_nikOrJkn']],
  'birthDate.future': ['birthDate.future', ['fm_birthDateFuture']],
  'validUntil.past': ['referral.valid_until_past', ['fm_validUntilPast']],
  'validUntil.too_far': ['referral.valid_until_too_far', ['fm_validUntilTooFar']],
  'vitals.diastolic.not_below_systolic': ['vitals.diastolic_not_below_systolic', ['fm_diastolicNotBelow']],
  'diagnoses.no_primary': ['encounter.no_primary', ['fm_noPrimary']],
  'ticketId.no_patient': ['ticket.no_patient', ['fm_ticketNoPatient']],
  'id.own_account': ['staff.own_account', ['fm_ownAccount']],
  'id.last_admin': ['staff.last_admin', ['fm_lastAdmin']],
  'duplicateId.same_record': ['patient.merge_same', ['fm_mergeSame']],
  'username.conflict': ['staff.username_taken', ['fm_usernameTaken']],
  'room.invalid': ['queue.unknown_room', ['fm_unknownRoom']],
  'poli.invalid': ['queue.unknown_poli', ['fm_unknownPoli']],
  'hospitalCode.invalid': ['referral.unknown_hospital', ['fm_unknownHospital']],
  'specialty.invalid': ['referral.unknown_specialty', ['fm_unknownSpecialty']],
  'period.period_format': ['report.period_format', ['fmt_period']],
};

/** Field issues for a domain error about one field (details.field), in both languages; null when it is not about a field. */
export function fieldIssuesOfClinicError(err: ClinicError, lang: Lang): FieldIssue[] | null {
  const d = err.details as { field?: unknown; problem?: unknown; issues?: { path: string; message: string; code?: string }[] };
  if (Array.isArray(d.issues)) {
    // A domain input parsed with zod (encounters' parseInput): the zod issues it carried.
    return d.issues.map((i) =>
      fieldIssueOfZod({ ...(i as unknown as Partial<ZodIssueLike>), code: i.code ?? 'custom', path: i.path ? i.path.split('.') : [], message: i.message }, lang),
    );
  }
  if (err.code === 'conflict' && typeof (d as { patientId?: unknown }).patientId === 'string') {
    return [issue('nik', 'patient.exists', lang, ['fm_patientExists'])];
  }
  if (typeof d.field !== 'string') return null;
  const field = d.field;
  const key = `${field}.${typeof d.problem === 'string' ? d.problem : err.code}`;
  const known = problems[key] ?? (/^items\.\d+\.formularyId$/.test(field) ? (['prescription.not_in_formulary', ['fm_notInFormulary']] as [string, Said]) : undefined);
  if (!known) return [issue(field, 'field.invalid', lang, ['fm_invalid'])];
  return [issue(field, known[0], lang, known[1])];
}

/** The message of a stock refusal, with the medicine and the figures, in one language. */
export function stockMessage(details: Record<string, unknown>, lang: Lang): string | undefined {
  const { medicine, needed, available, unit } = details as { medicine?: string; needed?: number; available?: number; unit?: string };
  if (!medicine) return undefined;
  return format(words(lang).fm_stockShort, { medicine, needed: String(needed), unit: unit ?? '', available: String(available) }).replace('  ', ' ');
}
