import { z } from 'zod';
import type { Queryable } from './db.ts';
import { notFound } from './errors.ts';
import { parseInput } from './encounters.ts';
import { text } from './text.ts';

/** An FKRTL (referral hospital) this puskesmas refers to, by its BPJS facility code. */
export interface Hospital {
  code: string;
  name: string;
  specialties: string[];
}

export const hospitalCode = text().trim().regex(/^[0-9A-Z]{4,12}$/, 'a BPJS facility code: 4 to 12 digits or capital letters');

export const hospitalInput = z
  .object({
    code: hospitalCode,
    name: text().trim().min(2).max(120),
    specialties: z.array(text().trim().min(2).max(60)).max(60).default([]),
  })
  .strict();
export type HospitalInput = z.infer<typeof hospitalInput>;

export async function listHospitals(db: Queryable): Promise<Hospital[]> {
  const { rows } = await db.query<Hospital>(`SELECT code, name, specialties FROM hospitals ORDER BY name`);
  return rows;
}

export async function getHospital(db: Queryable, code: string): Promise<Hospital> {
  const { rows } = await db.query<Hospital>(`SELECT code, name, specialties FROM hospitals WHERE code = $1`, [code]);
  if (!rows[0]) throw notFound('hospital', code);
  return rows[0];
}

/**
 * Adds or updates a hospital. The demo seeds its list (demo.ts); a production box gets the
 * district's list from the hub through the downlink (a `hospitals` item: the whole list,
 * versioned, as the formulary comes; see central/contract/messages.ts and sync/downlink.ts).
 */
export async function upsertHospital(db: Queryable, input: HospitalInput): Promise<Hospital> {
  const h = parseInput(hospitalInput, input);
  const { rows } = await db.query<Hospital>(
    `INSERT INTO hospitals (code, name, specialties) VALUES ($1, $2, $3)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, specialties = EXCLUDED.specialties
     RETURNING code, name, specialties`,
    [h.code, h.name, JSON.stringify(h.specialties)],
  );
  return rows[0];
}
