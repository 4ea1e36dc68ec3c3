/**
 * The district's lists as a district office keeps them: CSV from a spreadsheet. Every row is
 * checked against the wire contract's own schema before anything is queued, and every error names
 * its line (as the spreadsheet numbers it, header = line 1) and its column, Bahasa Indonesia first.
 *
 * Hospitals: `code,name,specialties,accepts_emergency`; specialties separated by `|`
 * ("Penyakit Dalam|Anak"); accepts_emergency ya/tidak (or yes/no, true/false, 1/0).
 * Formulary: `kfa_code,name,strength,form,unit,active`; active as above, empty = ya.
 * Comma or semicolon between columns (a spreadsheet in Indonesian settings saves with `;`);
 * quotes as RFC 4180; a UTF-8 byte-order mark is ignored.
 */
import { z } from 'zod';
import { formularyEntry, hospitalEntry, type FormularyEntry, type HospitalEntry } from '../contract/index.ts';

export class CsvError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'CsvError';
  }
}

interface Row {
  line: number;
  cells: string[];
}

/** RFC 4180 rows, each with the line it starts on; blank lines skipped. */
export function parseCsv(text: string): Row[] {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const sep = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  const rows: Row[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === sep) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) throw new CsvError([`baris ${rowLine}: tanda kutip tidak ditutup (line ${rowLine}: unclosed quote)`]);
  cells.push(cell);
  if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

const yes = ['ya', 'y', 'yes', 'true', '1'];
const no = ['tidak', 't', 'no', 'false', '0'];
function flag(v: string, empty: boolean | undefined): boolean | string {
  const s = v.trim().toLowerCase();
  if (s === '' && empty !== undefined) return empty;
  if (yes.includes(s)) return true;
  if (no.includes(s)) return false;
  return v; // left for the schema to refuse, with the column named
}

const problem = (line: number, field: string, message: string) => `baris ${line}, kolom ${field}: ${message} (line ${line}, field ${field})`;

/** Rows → entries through `build` and the contract's schema; every problem of every row is collected. */
function entries<T>(
  text: string,
  columns: string[],
  keyColumn: string,
  schema: z.ZodType<T>,
  build: (get: (col: string) => string) => unknown,
  fieldColumn: Record<string, string>,
): T[] {
  const rows = parseCsv(text);
  if (!rows.length) throw new CsvError(['berkas kosong (the file is empty)']);
  const header = rows[0].cells.map((c) => c.trim().toLowerCase());
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvError([`baris 1: kolom tidak ada: ${missing.join(', ')} (line 1: missing columns; expected ${columns.join(',')})`]);
  const problems: string[] = [];
  const out: T[] = [];
  const seen = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const get = (col: string) => (row.cells[header.indexOf(col)] ?? '').trim();
    const r = schema.safeParse(build(get));
    if (!r.success) {
      for (const i of r.error.issues) problems.push(problem(row.line, fieldColumn[String(i.path[0])] ?? String(i.path[0] ?? ''), i.message));
      continue;
    }
    const key = get(keyColumn);
    const first = seen.get(key);
    if (first) problems.push(problem(row.line, keyColumn, `${key} sudah ada di baris ${first} (already on line ${first})`));
    else seen.set(key, row.line);
    out.push(r.data);
  }
  if (problems.length) throw new CsvError(problems);
  if (!out.length) throw new CsvError(['tidak ada baris data di bawah judul kolom (no data rows under the header)']);
  return out;
}

export function parseHospitalsCsv(text: string): HospitalEntry[] {
  return entries(
    text,
    ['code', 'name', 'specialties', 'accepts_emergency'],
    'code',
    hospitalEntry,
    (get) => ({
      code: get('code'),
      name: get('name'),
      specialties: get('specialties')
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
      acceptsEmergency: flag(get('accepts_emergency'), undefined),
    }),
    { code: 'code', name: 'name', specialties: 'specialties', acceptsEmergency: 'accepts_emergency' },
  );
}

export function parseFormularyCsv(text: string): FormularyEntry[] {
  return entries(
    text,
    ['kfa_code', 'name', 'strength', 'form', 'unit'],
    'kfa_code',
    formularyEntry,
    (get) => ({
      kfaCode: get('kfa_code'),
      name: get('name'),
      strength: get('strength'),
      form: get('form'),
      unit: get('unit'),
      active: flag(get('active'), true),
    }),
    { kfaCode: 'kfa_code', name: 'name', strength: 'strength', form: 'form', unit: 'unit', active: 'active' },
  );
}
