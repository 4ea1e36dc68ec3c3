/**
 * The district's formulary, as the centre sends it. New medicines are added with no stock; the
 * names, strengths, forms, units and active flags of known ones (matched by KFA code) follow the
 * list; stock is the clinic's own and never touched. Versions are numbered: the same version
 * again is a no-op, an older one is refused, so an update that arrives late never rolls a newer
 * list back. Medicines the clinic added itself (no KFA code) are left alone.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { ClinicError } from './errors.ts';

export interface FormularyUpdateItem {
  kfaCode: string;
  name: string;
  strength: string;
  form: string;
  unit: string;
  active: boolean;
}

export interface FormularyUpdateResult {
  version: number;
  added: number;
  changed: number;
  /** True when this version was already applied (nothing done). */
  repeated: boolean;
}

const VERSION_KEY = 'formulary_version';

export async function appliedFormularyVersion(db: Pick<Db, 'query'>): Promise<number> {
  const { rows } = await db.query<{ value: number }>(`SELECT value FROM sync_state WHERE key = $1`, [VERSION_KEY]);
  return rows[0] ? Number(rows[0].value) : 0;
}

export async function applyFormularyUpdate(db: Db, version: number, items: FormularyUpdateItem[]): Promise<FormularyUpdateResult> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ value: number }>(`SELECT value FROM sync_state WHERE key = $1 FOR UPDATE`, [VERSION_KEY]);
    const current = rows[0] ? Number(rows[0].value) : 0;
    if (version === current) return { version, added: 0, changed: 0, repeated: true };
    if (version < current)
      throw new ClinicError('conflict', `formulary version ${version} is older than the applied version ${current}`, { entity: 'formulary', version: current });
    const known = new Map(
      (await tx.query<{ id: string; kfa_code: string }>(`SELECT id, kfa_code FROM formulary WHERE kfa_code = ANY($1::text[])`, [items.map((i) => i.kfaCode)])).rows.map((r) => [
        r.kfa_code,
        r.id,
      ]),
    );
    let added = 0;
    let changed = 0;
    for (const i of items) {
      const id = known.get(i.kfaCode);
      if (id) {
        const res = await tx.query(
          `UPDATE formulary SET name = $2, strength = $3, form = $4, unit = $5, active = $6
            WHERE id = $1 AND (name, strength, form, unit, active) IS DISTINCT FROM ($2, $3, $4, $5, $6) RETURNING id`,
          [id, i.name, i.strength, i.form, i.unit, i.active],
        );
        changed += res.rows.length;
      } else {
        await tx.query(`INSERT INTO formulary (id, name, strength, form, kfa_code, unit, active) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
          randomUUID(),
          i.name,
          i.strength,
          i.form,
          i.kfaCode,
          i.unit,
          i.active,
        ]);
        added++;
      }
    }
    await tx.query(`INSERT INTO sync_state (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [
      VERSION_KEY,
      JSON.stringify(version),
    ]);
    return { version, added, changed, repeated: false };
  });
}
