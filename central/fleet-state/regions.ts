/**
 * The region tree and the registry's places: regions (provinces and kabupaten/kota by BPS kode
 * wilayah, with names) and which kabupaten/kota each facility is in, both imported from CSV; a
 * box takes its facility's region. Free tags per box. Messages Bahasa Indonesia first.
 */
import { z } from 'zod';
import type { HubDb, HubQueryable } from '../storage/db.ts';

export interface ImportResult {
  imported: number;
  errors: string[];
}

/** A CSV line's fields: commas separate, double quotes enclose (with "" for a quote). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur.trim()), (cur = '');
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function parseCsv<T>(text: string, header: string[], row: z.ZodType<T>, say: (line: number, what: string) => string): { rows: T[]; errors: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: string[] = [];
  const rows: T[] = [];
  const head = fields(lines[0] ?? '').map((h) => h.toLowerCase());
  if (header.some((h, i) => head[i] !== h)) return { rows, errors: [`Baris 1: kepala kolom harus "${header.join(',')}" (line 1: the header must be "${header.join(',')}")`] };
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const f = fields(lines[i]);
    const r = row.safeParse(Object.fromEntries(header.map((h, j) => [h, f[j] ?? ''])));
    if (r.success) rows.push(r.data);
    else errors.push(say(i + 1, r.error.issues[0]?.path.join('.') ?? '?'));
  }
  return { rows, errors };
}

const regionRow = z.object({ code: z.string().regex(/^[0-9]{2}([0-9]{2})?$/), name: z.string().min(1).max(120) });
const facilityRow = z.object({ facility_code: z.string().regex(/^[0-9A-Za-z.-]{1,30}$/), region_code: z.string().regex(/^[0-9]{4}$/) });

/** `code,name` lines: 2-digit provinces and 4-digit kabupaten/kota. Nothing is written if a line is wrong. */
export async function importRegionsCsv(db: HubDb, csv: string): Promise<ImportResult> {
  const { rows, errors } = parseCsv(
    csv,
    ['code', 'name'],
    regionRow,
    (n, what) => `Baris ${n}: ${what} tidak sah; kode 2 atau 4 angka dan nama wajib (line ${n}: invalid ${what}; code of 2 or 4 digits and a name are required)`,
  );
  if (errors.length) return { imported: 0, errors };
  await db.query(
    `INSERT INTO regions (code, name) SELECT code, name FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`,
    [JSON.stringify(rows)],
  );
  return { imported: rows.length, errors };
}

/** `facility_code,region_code` lines; the boxes of those facilities take the region. */
export async function importFacilityRegionsCsv(db: HubDb, csv: string): Promise<ImportResult> {
  const { rows, errors } = parseCsv(
    csv,
    ['facility_code', 'region_code'],
    facilityRow,
    (n, what) =>
      `Baris ${n}: ${what} tidak sah; kode fasilitas dan kode kabupaten/kota 4 angka wajib (line ${n}: invalid ${what}; a facility code and a 4-digit district code are required)`,
  );
  if (errors.length) return { imported: 0, errors };
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO facility_regions (facility_code, region_code) SELECT facility_code, region_code FROM jsonb_to_recordset($1::jsonb) AS r(facility_code text, region_code text)
       ON CONFLICT (facility_code) DO UPDATE SET region_code = EXCLUDED.region_code`,
      [JSON.stringify(rows)],
    );
    await assignRegions(tx);
  });
  return { imported: rows.length, errors };
}

/**
 * Every box takes its facility's region from the imported list; a box whose facility is not in
 * it but has a Kemenkes-style code (`P` + kode wilayah, e.g. P5301010101) takes the code's first
 * four digits. Run at import and at enrolment.
 */
export async function assignRegions(db: HubQueryable): Promise<void> {
  await db.query(
    `UPDATE devices d SET region_code = coalesce(fr.region_code, substring(d.facility_code FROM '^[Pp]([0-9]{4})[0-9]*$'), d.region_code)
       FROM devices x LEFT JOIN facility_regions fr ON fr.facility_code = x.facility_code
      WHERE x.id = d.id AND d.region_code IS DISTINCT FROM coalesce(fr.region_code, substring(d.facility_code FROM '^[Pp]([0-9]{4})[0-9]*$'), d.region_code)`,
  );
}

export const tagsSchema = z.array(z.string().regex(/^[a-z0-9][a-z0-9:_-]{0,39}$/)).max(20);

export async function setTags(db: HubQueryable, deviceId: string, tags: string[]): Promise<boolean> {
  const t = [...new Set(tagsSchema.parse(tags))].sort();
  const { rows } = await db.query(`UPDATE devices SET tags = $2 WHERE id = $1 RETURNING id`, [deviceId, t]);
  return rows.length > 0;
}

export async function regionName(db: HubQueryable, code: string): Promise<string | null> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM regions WHERE code = $1`, [code]);
  return rows[0]?.name ?? null;
}
