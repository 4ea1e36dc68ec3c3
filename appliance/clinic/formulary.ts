/**
 * The box's formulary: the medicines a doctor may prescribe, with the stock on hand. The list
 * itself comes from the district (formulary-updates.ts); stock moves in stock.ts.
 */
import { likeLiteral, type Queryable } from './db.ts';
import { notFound } from './errors.ts';

export interface FormularyItem {
  id: string;
  name: string;
  strength: string;
  form: string;
  kfaCode: string | null;
  unit: string;
  stock: number;
  active: boolean;
}

const formularyColumns = `id, name, strength, form, kfa_code AS "kfaCode", unit, stock, active`;

/** Answers as the doctor types: name prefix, a word of the name, or a KFA code. Shows stock on hand. */
export async function searchFormulary(
  db: Queryable,
  q: string,
  opts: { limit: number; offset: number; includeInactive?: boolean } = { limit: 20, offset: 0 },
): Promise<FormularyItem[]> {
  const term = q.trim().toLowerCase();
  const pattern = likeLiteral(term);
  const { rows } = await db.query<FormularyItem>(
    `SELECT ${formularyColumns} FROM formulary
      WHERE ($1 = '' OR lower(name) LIKE $5 || '%' OR lower(name) LIKE '% ' || $5 || '%' OR lower(name) LIKE '%(' || $5 || '%' OR kfa_code = $1)
        AND (active OR $4)
      ORDER BY (lower(name) LIKE $5 || '%') DESC, name, strength LIMIT $2 OFFSET $3`,
    [term, opts.limit, opts.offset, opts.includeInactive ?? false, pattern],
  );
  return rows;
}

export async function getFormularyItem(db: Queryable, id: string): Promise<FormularyItem> {
  const { rows } = await db.query<FormularyItem>(`SELECT ${formularyColumns} FROM formulary WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('formulary', id);
  return rows[0];
}
