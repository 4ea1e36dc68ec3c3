import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { ClinicError, invalidState, notFound } from './errors.ts';
import { audit, type Actor } from './audit.ts';
import { appendOutbox } from './outbox.ts';
import { parseInput, requireOpenEncounter } from './encounters.ts';
import { text } from './text.ts';
import { moveStock } from './stock.ts';

export { searchFormulary, getFormularyItem, type FormularyItem } from './formulary.ts';
export {
  stockReceiptInput,
  stockAdjustmentInput,
  recordStockReceipt,
  recordStockAdjustment,
  listStockMovements,
  type StockReceiptInput,
  type StockAdjustmentInput,
} from './stock.ts';

export const prescriptionStatuses = ['issued', 'dispensed', 'picked_up'] as const;
export type PrescriptionStatus = (typeof prescriptionStatuses)[number];

export const prescriptionInput = z
  .object({
    encounterId: text().uuid(),
    items: z
      .array(
        z
          .object({
            formularyId: text().uuid(),
            signa: text().trim().min(2, 'signa, e.g. 3 x 1 tablet sesudah makan').max(200),
            quantity: z.number().int().min(1).max(10_000),
            days: z.number().int().min(1).max(365),
          })
          .strict(),
      )
      .min(1)
      .max(20)
      .refine((items) => new Set(items.map((i) => i.formularyId)).size === items.length, 'a medicine appears twice; combine the lines'),
    note: text().trim().max(500).default(''),
  })
  .strict();
export type PrescriptionInput = z.input<typeof prescriptionInput>;

export interface PrescriptionItem {
  line: number;
  formularyId: string;
  name: string;
  strength: string;
  form: string;
  unit: string;
  kfaCode: string | null;
  signa: string;
  quantity: number;
  days: number;
  /** Stock on hand now (staff views only). */
  stock?: number;
  /** What was handed out (null before dispensing); less than `quantity` when the rest is owed. */
  dispensedQuantity: number | null;
}

export interface Prescription {
  id: string;
  encounterId: string;
  patientId: string;
  patientName: string;
  prescriberId: string;
  prescriberName: string;
  status: PrescriptionStatus;
  note: string;
  version: number;
  issuedAt: string;
  dispensedAt: string | null;
  dispensedBy: string | null;
  pickedUpAt: string | null;
  /** The queue number the patient carries today, if any: what the pharmacist calls out. */
  ticketLabel: string | null;
  items: PrescriptionItem[];
}

const select = `SELECT r.id, r.encounter_id AS "encounterId", r.patient_id AS "patientId", p.full_name AS "patientName",
  r.prescriber_id AS "prescriberId", s.full_name AS "prescriberName", r.status, r.note, r.version, r.issued_at AS "issuedAt",
  r.dispensed_at AS "dispensedAt", r.dispensed_by AS "dispensedBy", r.picked_up_at AS "pickedUpAt", t.label AS "ticketLabel"
  FROM prescriptions r JOIN patients p ON p.id = r.patient_id JOIN staff s ON s.id = r.prescriber_id
  JOIN encounters e ON e.id = r.encounter_id LEFT JOIN queue_tickets t ON t.id = e.ticket_id`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

async function withItems(db: Queryable, rows: Omit<Prescription, 'items'>[]): Promise<Prescription[]> {
  if (!rows.length) return [];
  const { rows: items } = await db.query<PrescriptionItem & { prescriptionId: string }>(
    `SELECT i.prescription_id AS "prescriptionId", i.line, i.formulary_id AS "formularyId", f.name, f.strength, f.form, f.unit, f.kfa_code AS "kfaCode",
            i.signa, i.quantity, i.days, f.stock, i.dispensed_quantity AS "dispensedQuantity"
       FROM prescription_items i JOIN formulary f ON f.id = i.formulary_id
      WHERE i.prescription_id = ANY($1) ORDER BY i.line`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    ...r,
    issuedAt: iso(r.issuedAt)!,
    dispensedAt: iso(r.dispensedAt),
    pickedUpAt: iso(r.pickedUpAt),
    items: items.filter((i) => i.prescriptionId === r.id).map(({ prescriptionId: _, ...i }) => i),
  }));
}

async function loadPrescription(db: Queryable, id: string): Promise<Prescription> {
  const { rows } = await db.query<Omit<Prescription, 'items'>>(`${select} WHERE r.id = $1`, [id]);
  if (!rows[0]) throw notFound('prescription', id);
  return (await withItems(db, rows))[0];
}

/** What the centre gets: the prescription with each medicine named (and its KFA code where known). */
function outboxPayload(p: Prescription) {
  return {
    id: p.id,
    encounterId: p.encounterId,
    patientId: p.patientId,
    prescriber: { id: p.prescriberId, name: p.prescriberName },
    status: p.status,
    issuedAt: p.issuedAt,
    dispensedAt: p.dispensedAt,
    pickedUpAt: p.pickedUpAt,
    version: p.version,
    items: p.items.map((i) => ({ line: i.line, kfaCode: i.kfaCode, name: i.name, strength: i.strength, form: i.form, signa: i.signa, quantity: i.quantity, days: i.days })),
  };
}

export async function getPrescription(db: Queryable, actor: Actor, id: string): Promise<Prescription> {
  const p = await loadPrescription(db, id);
  await audit(db, actor, 'read', 'prescription', id, p.patientId);
  return p;
}

/** The doctor prescribes from the formulary during an open encounter. Stock is checked at dispensing. */
export async function issuePrescription(db: Db, actor: Actor, input: PrescriptionInput): Promise<Prescription> {
  const inp = parseInput(prescriptionInput, input);
  return db.transaction(async (tx) => {
    const e = await requireOpenEncounter(tx, inp.encounterId, 'prescribe');
    const known = await tx.query<{ id: string }>(`SELECT id FROM formulary WHERE id = ANY($1) AND active`, [inp.items.map((i) => i.formularyId)]);
    const knownIds = new Set(known.rows.map((r) => r.id));
    const missing = inp.items.findIndex((i) => !knownIds.has(i.formularyId));
    if (missing >= 0) {
      throw new ClinicError('invalid', 'not a medicine of the formulary', { field: `items.${missing}.formularyId`, formularyId: inp.items[missing].formularyId });
    }
    const id = randomUUID();
    await tx.query(`INSERT INTO prescriptions (id, encounter_id, patient_id, prescriber_id, status, note) VALUES ($1,$2,$3,$4,'issued',$5)`, [
      id,
      e.id,
      e.patientId,
      actor.staffId,
      inp.note,
    ]);
    for (const [n, item] of inp.items.entries()) {
      await tx.query(`INSERT INTO prescription_items (prescription_id, line, formulary_id, signa, quantity, days) VALUES ($1,$2,$3,$4,$5,$6)`, [
        id,
        n + 1,
        item.formularyId,
        item.signa,
        item.quantity,
        item.days,
      ]);
    }
    const p = await loadPrescription(tx, id);
    await appendOutbox(tx, { type: 'prescription', entityId: id, entityVersion: p.version, payload: outboxPayload(p) });
    await audit(tx, actor, 'create', 'prescription', id, e.patientId);
    return p;
  });
}

async function transition(
  db: Db,
  actor: Actor,
  id: string,
  from: PrescriptionStatus,
  to: PrescriptionStatus,
  set: string,
  inside?: (tx: Queryable, p: Prescription) => Promise<void>,
): Promise<Prescription> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(`UPDATE prescriptions SET status = $3, version = version + 1, ${set} WHERE id = $1 AND status = $2 RETURNING id`, [
      id,
      from,
      to,
      actor.staffId,
    ]);
    if (!rows[0]) {
      const cur = await tx.query<{ status: string }>(`SELECT status FROM prescriptions WHERE id = $1`, [id]);
      if (!cur.rows[0]) throw notFound('prescription', id);
      throw invalidState('prescription', cur.rows[0].status, to === 'dispensed' ? 'dispense' : 'hand over');
    }
    let p = await loadPrescription(tx, id);
    if (inside) {
      await inside(tx, p);
      p = await loadPrescription(tx, id);
    }
    await appendOutbox(tx, { type: 'prescription', entityId: id, entityVersion: p.version, payload: outboxPayload(p) });
    await audit(tx, actor, 'update', 'prescription', id, p.patientId);
    return p;
  });
}

/**
 * The pharmacist dispenses: every item's stock goes down in one transaction, or nothing changes.
 * Refuses with `insufficient_stock` naming the medicine, what is needed and what is on hand.
 */
export function dispensePrescription(db: Db, actor: Actor, id: string, opts: { partial?: boolean } = {}): Promise<Prescription> {
  return transition(db, actor, id, 'issued', 'dispensed', `dispensed_at = now(), dispensed_by = $4`, async (tx, p) => {
    // Part: what is on hand of each line goes out, the rest is owed (recorded on the line). A
    // prescription none of which is on hand is refused as a whole dispense would be.
    const given: number[] = p.items.map((item) => (opts.partial ? Math.max(0, Math.min(item.quantity, item.stock ?? 0)) : item.quantity));
    if (opts.partial && !given.some((g) => g > 0)) given[0] = p.items[0].quantity;
    for (const [n, item] of p.items.entries()) {
      if (given[n] > 0) await moveStock(tx, item.formularyId, -given[n], 'dispense', `resep ${p.id.slice(0, 8)}`, actor.staffId, p.id);
      await tx.query(`UPDATE prescription_items SET dispensed_quantity = $3 WHERE prescription_id = $1 AND line = $2`, [p.id, item.line, given[n]]);
    }
  });
}

/**
 * Later, once stock has come: the rest owed of every line handed out, the lines and the stock in
 * one transaction or nothing (`insufficient_stock` names the medicine still short). The status
 * stays as it was (dispensed or picked up); the version goes up, so the centre sees the lines full.
 * With nothing owed it answers the prescription as it is (a second tap changes nothing).
 */
export async function dispenseOwed(db: Db, actor: Actor, id: string): Promise<Prescription> {
  return db.transaction(async (tx) => {
    const locked = await tx.query<{ status: PrescriptionStatus }>(`SELECT status FROM prescriptions WHERE id = $1 FOR UPDATE`, [id]);
    if (!locked.rows[0]) throw notFound('prescription', id);
    const before = await loadPrescription(tx, id);
    const owedLines = before.items.filter((i) => i.dispensedQuantity !== null && i.dispensedQuantity < i.quantity);
    if (before.status === 'issued') throw invalidState('prescription', before.status, 'hand out the rest owed');
    // Nothing (left) owed: a second tap, or another tablet was quicker. The same answer, nothing changed.
    if (!owedLines.length) return before;
    for (const item of owedLines) {
      await moveStock(tx, item.formularyId, -(item.quantity - item.dispensedQuantity!), 'dispense', `sisa resep ${id.slice(0, 8)}`, actor.staffId, id);
      await tx.query(`UPDATE prescription_items SET dispensed_quantity = quantity WHERE prescription_id = $1 AND line = $2`, [id, item.line]);
    }
    await tx.query(`UPDATE prescriptions SET version = version + 1 WHERE id = $1`, [id]);
    const p = await loadPrescription(tx, id);
    await appendOutbox(tx, { type: 'prescription', entityId: id, entityVersion: p.version, payload: outboxPayload(p) });
    await audit(tx, actor, 'update', 'prescription', id, p.patientId);
    return p;
  });
}

/** The patient (or family) has taken the medicines home. */
export function markPickedUp(db: Db, actor: Actor, id: string): Promise<Prescription> {
  return transition(db, actor, id, 'dispensed', 'picked_up', `picked_up_at = now(), dispensed_by = coalesce(dispensed_by, $4)`);
}

/** The pharmacist's lists: one per status, and `owed` (handed out in part, the rest still owed). */
export const pharmacyLists = [...prescriptionStatuses, 'owed'] as const;
export type PharmacyList = (typeof pharmacyLists)[number];

const owedWhere = `r.status <> 'issued' AND EXISTS (SELECT 1 FROM prescription_items o WHERE o.prescription_id = r.id AND o.dispensed_quantity < o.quantity)`;

/** The pharmacist's list: oldest first where someone waits (to dispense, owed), so that nobody waits longest by accident. */
export async function listPharmacyQueue(db: Queryable, actor: Actor, f: { status: PharmacyList; limit: number; offset: number }) {
  const owed = f.status === 'owed';
  const where = owed ? owedWhere : `r.status = $3`;
  const params = owed ? [] : [f.status];
  const { rows } = await db.query<Omit<Prescription, 'items'>>(
    `${select} WHERE ${where} ORDER BY r.issued_at ${owed || f.status === 'issued' ? 'ASC' : 'DESC'}, r.id LIMIT $1 OFFSET $2`,
    [f.limit, f.offset, ...params],
  );
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM prescriptions r WHERE ${where.replace('$3', '$1')}`, params);
  await audit(db, actor, 'list', 'prescription', null, null);
  return { total: total.rows[0].n, prescriptions: await withItems(db, rows) };
}

export async function prescriptionsOfEncounter(db: Queryable, encounterId: string): Promise<Prescription[]> {
  const { rows } = await db.query<Omit<Prescription, 'items'>>(`${select} WHERE r.encounter_id = $1 ORDER BY r.issued_at`, [encounterId]);
  return withItems(db, rows);
}

/** The patient's copy through their ticket link: medicines, signa, status; no staff ids, no stock. */
export async function prescriptionsForTicket(db: Queryable, ticketId: string) {
  const { rows } = await db.query<Omit<Prescription, 'items'>>(
    `${select} WHERE e.ticket_id = $1 AND t.patient_id = r.patient_id AND r.issued_at >= t.taken_at ORDER BY r.issued_at`,
    [ticketId],
  );
  return (await withItems(db, rows)).map((p) => ({
    id: p.id,
    status: p.status,
    issuedAt: p.issuedAt,
    dispensedAt: p.dispensedAt,
    pickedUpAt: p.pickedUpAt,
    prescriberName: p.prescriberName,
    note: p.note,
    items: p.items.map((i) => ({ name: i.name, strength: i.strength, form: i.form, unit: i.unit, signa: i.signa, quantity: i.quantity, days: i.days })),
  }));
}
