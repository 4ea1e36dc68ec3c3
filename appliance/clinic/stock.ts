/**
 * Stock of the formulary's medicines: receipts, adjustments and dispensing, each a recorded
 * movement; stock never goes below zero.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { ClinicError } from './errors.ts';
import type { Actor } from './audit.ts';
import { parseInput } from './encounters.ts';
import { getFormularyItem, type FormularyItem } from './formulary.ts';
import { text } from './text.ts';

export const stockReceiptInput = z
  .object({
    quantity: z.number().int().min(1).max(1_000_000),
    reason: text().trim().max(200).default(''),
  })
  .strict();
export type StockReceiptInput = z.input<typeof stockReceiptInput>;

export const stockAdjustmentInput = z
  .object({
    /** Signed change: negative for breakage, expiry, a count that found less; positive for a count that found more. */
    delta: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((n) => n !== 0, 'the change cannot be zero'),
    reason: text().trim().min(3, 'say why the stock changes').max(200),
  })
  .strict();
export type StockAdjustmentInput = z.input<typeof stockAdjustmentInput>;

function insufficient(item: { id: string; name: string; strength: string; unit: string }, needed: number, available: number) {
  return new ClinicError('insufficient_stock', `not enough ${item.name} ${item.strength}: needed ${needed}, available ${available}`, {
    formularyId: item.id,
    medicine: `${item.name} ${item.strength}`.trim(),
    unit: item.unit,
    needed,
    available,
  });
}

/**
 * Changes stock by `delta` and records the movement, in the caller's transaction. Refuses to go
 * below zero (the row is changed only if enough is on hand, so concurrent takers cannot overdraw).
 */
export async function moveStock(
  tx: Queryable,
  formularyId: string,
  delta: number,
  kind: 'receipt' | 'adjustment' | 'dispense',
  reason: string,
  staffId: string | null,
  prescriptionId: string | null,
) {
  const { rows } = await tx.query<{ stock: number }>(`UPDATE formulary SET stock = stock + $2 WHERE id = $1 AND stock + $2 >= 0 RETURNING stock`, [formularyId, delta]);
  if (!rows[0]) {
    const item = await getFormularyItem(tx, formularyId);
    throw insufficient(item, -delta, item.stock);
  }
  await tx.query(`INSERT INTO stock_movements (id, formulary_id, kind, quantity, reason, prescription_id, staff_id) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
    randomUUID(),
    formularyId,
    kind,
    delta,
    reason,
    prescriptionId,
    staffId,
  ]);
  return rows[0].stock;
}

export async function recordStockReceipt(db: Db, actor: Actor, formularyId: string, input: StockReceiptInput): Promise<FormularyItem> {
  const inp = parseInput(stockReceiptInput, input);
  return db.transaction(async (tx) => {
    await getFormularyItem(tx, formularyId);
    await moveStock(tx, formularyId, inp.quantity, 'receipt', inp.reason, actor.staffId, null);
    return getFormularyItem(tx, formularyId);
  });
}

export async function recordStockAdjustment(db: Db, actor: Actor, formularyId: string, input: StockAdjustmentInput): Promise<FormularyItem> {
  const inp = parseInput(stockAdjustmentInput, input);
  return db.transaction(async (tx) => {
    await getFormularyItem(tx, formularyId);
    await moveStock(tx, formularyId, inp.delta, 'adjustment', inp.reason, actor.staffId, null);
    return getFormularyItem(tx, formularyId);
  });
}

export async function listStockMovements(db: Queryable, formularyId: string, opts: { limit: number; offset: number }) {
  await getFormularyItem(db, formularyId);
  const { rows } = await db.query<{ id: string; kind: string; quantity: number; reason: string; prescriptionId: string | null; staff: string | null; at: string }>(
    `SELECT m.id, m.kind, m.quantity, m.reason, m.prescription_id AS "prescriptionId", s.full_name AS staff, m.at
       FROM stock_movements m LEFT JOIN staff s ON s.id = m.staff_id
      WHERE m.formulary_id = $1 ORDER BY m.at DESC, m.id LIMIT $2 OFFSET $3`,
    [formularyId, opts.limit, opts.offset],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
