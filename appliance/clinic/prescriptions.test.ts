import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { clinicError, useClinic, testSettings } from './testing.ts';
import { demoIds } from './demo-ids.ts';
import type { Db } from './db.ts';
import type { ClinicError } from './errors.ts';
import { closeEncounter, updateEncounter, type Encounter } from './encounters.ts';
import {
  dispensePrescription,
  getFormularyItem,
  issuePrescription,
  listPharmacyQueue,
  listStockMovements,
  markPickedUp,
  prescriptionsForTicket,
  recordStockAdjustment,
  recordStockReceipt,
  searchFormulary,
} from './prescriptions.ts';

const settings = testSettings();

const failure = clinicError;

describe('prescriptions and stock', () => {
  const clinic = useClinic(settings);
  let encounter: Encounter;
  let ticketId: string;
  beforeAll(async () => {
    ({ ticketId, encounter } = await clinic.openDemoEncounter());
  });

  async function medicine(stock: number, name = `Obat Uji ${randomUUID().slice(0, 6)}`) {
    const id = randomUUID();
    await clinic.db.query(`INSERT INTO formulary (id, name, strength, form, unit, stock) VALUES ($1,$2,'10 mg','tablet','tablet',$3)`, [id, name, stock]);
    return id;
  }
  const stockOf = async (id: string) => (await getFormularyItem(clinic.db, id)).stock;
  const prescribe = (items: { formularyId: string; quantity: number }[]) =>
    issuePrescription(clinic.db, clinic.doctor, { encounterId: encounter.id, items: items.map((i) => ({ ...i, signa: '3 x 1', days: 3 })) });

  it('searches the formulary as the clinic.doctor types, with stock', async () => {
    const r = await searchFormulary(clinic.db, 'para', { limit: 5, offset: 0 });
    expect(r[0]).toMatchObject({ id: demoIds.formularyParacetamol, name: 'Parasetamol', strength: '500 mg', stock: 500, unit: 'tablet' });
    expect((await searchFormulary(clinic.db, 'klorfen', { limit: 5, offset: 0 }))[0]?.name).toContain('CTM');
    expect(await searchFormulary(clinic.db, '', { limit: 5, offset: 0 })).toHaveLength(5); // an empty search lists the formulary
    expect(await searchFormulary(clinic.db, '%', { limit: 5, offset: 0 })).toHaveLength(0); // % is a character, not a wildcard
  });

  it('issues from the formulary only, in an open encounter, with an outbox entry', async () => {
    const e = await failure(
      issuePrescription(clinic.db, clinic.doctor, { encounterId: encounter.id, items: [{ formularyId: randomUUID(), signa: '1 x 1', quantity: 1, days: 1 }] }),
    );
    expect(e.code).toBe('invalid');
    expect((await failure(issuePrescription(clinic.db, clinic.doctor, { encounterId: encounter.id, items: [] }))).code).toBe('invalid');
    const p = await prescribe([{ formularyId: demoIds.formularyParacetamol, quantity: 10 }]);
    expect(p).toMatchObject({ status: 'issued', version: 1, patientId: demoIds.patient, items: [{ line: 1, name: 'Parasetamol', signa: '3 x 1', quantity: 10, days: 3 }] });
    const { rows } = await clinic.db.query<{ type: string; entity_version: number; payload: { items: { name: string }[] } }>(
      `SELECT type, entity_version, payload FROM outbox WHERE entity_id = $1`,
      [p.id],
    );
    expect(rows).toEqual([
      { type: 'prescription', entity_version: 1, payload: expect.objectContaining({ status: 'issued', items: [expect.objectContaining({ name: 'Parasetamol', quantity: 10 })] }) },
    ]);
  });

  it('dispensing decrements stock, records movements, goes issued → dispensed → picked_up with an outbox entry each', async () => {
    const m = await medicine(50);
    const p = await prescribe([{ formularyId: m, quantity: 20 }]);
    expect((await failure(markPickedUp(clinic.db, clinic.pharmacist, p.id))).code).toBe('invalid_state');
    const d = await dispensePrescription(clinic.db, clinic.pharmacist, p.id);
    expect(d).toMatchObject({ status: 'dispensed', version: 2, dispensedBy: clinic.pharmacist.staffId });
    expect(await stockOf(m)).toBe(30);
    expect((await failure(dispensePrescription(clinic.db, clinic.pharmacist, p.id))).code).toBe('invalid_state');
    expect(await stockOf(m)).toBe(30);
    const u = await markPickedUp(clinic.db, clinic.pharmacist, p.id);
    expect(u).toMatchObject({ status: 'picked_up', version: 3 });
    const mv = await listStockMovements(clinic.db, m, { limit: 10, offset: 0 });
    expect(mv).toEqual([expect.objectContaining({ kind: 'dispense', quantity: -20, prescriptionId: p.id })]);
    const { rows } = await clinic.db.query<{ entity_version: number; status: string }>(
      `SELECT entity_version, payload->>'status' AS status FROM outbox WHERE entity_id = $1 ORDER BY seq`,
      [p.id],
    );
    expect(rows).toEqual([
      { entity_version: 1, status: 'issued' },
      { entity_version: 2, status: 'dispensed' },
      { entity_version: 3, status: 'picked_up' },
    ]);
  });

  it('refuses to go below zero, naming the medicine, needed and available, and changes nothing', async () => {
    const enough = await medicine(100);
    const short = await medicine(5, 'Obat Langka');
    const p = await prescribe([
      { formularyId: enough, quantity: 10 },
      { formularyId: short, quantity: 6 },
    ]);
    const e = await failure(dispensePrescription(clinic.db, clinic.pharmacist, p.id));
    expect(e.code).toBe('insufficient_stock');
    expect(e.details).toMatchObject({ medicine: 'Obat Langka 10 mg', needed: 6, available: 5, formularyId: short });
    expect(await stockOf(enough)).toBe(100); // the first item's decrement rolled back with the rest
    expect(await stockOf(short)).toBe(5);
    const { rows } = await clinic.db.query<{ status: string; version: number }>(`SELECT status, version FROM prescriptions WHERE id = $1`, [p.id]);
    expect(rows[0]).toEqual({ status: 'issued', version: 1 });
    expect((await clinic.db.query(`SELECT 1 FROM outbox WHERE entity_id = $1`, [p.id])).rows).toHaveLength(1);
    expect(await listStockMovements(clinic.db, enough, { limit: 5, offset: 0 })).toEqual([]);
  });

  it('concurrent dispenses never overdraw stock', async () => {
    const m = await medicine(100);
    const ps = await Promise.all([1, 2, 3].map(() => prescribe([{ formularyId: m, quantity: 40 }])));
    const results = await Promise.allSettled(ps.map((p) => dispensePrescription(clinic.db, clinic.pharmacist, p.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0].reason as ClinicError).code).toBe('insufficient_stock');
    expect(await stockOf(m)).toBe(20);

    // The same prescription dispensed from two tablets at once: once.
    const one = await prescribe([{ formularyId: m, quantity: 5 }]);
    const twice = await Promise.allSettled([dispensePrescription(clinic.db, clinic.pharmacist, one.id), dispensePrescription(clinic.db, clinic.pharmacist, one.id)]);
    expect(twice.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await stockOf(m)).toBe(15);
  });

  it('records receipts and adjustments; an adjustment cannot go below zero', async () => {
    const m = await medicine(10);
    expect((await recordStockReceipt(clinic.db, clinic.pharmacist, m, { quantity: 90, reason: 'kiriman Dinkes' })).stock).toBe(100);
    expect((await recordStockAdjustment(clinic.db, clinic.pharmacist, m, { delta: -3, reason: 'pecah' })).stock).toBe(97);
    const e = await failure(recordStockAdjustment(clinic.db, clinic.pharmacist, m, { delta: -98, reason: 'hitung ulang' }));
    expect(e.code).toBe('insufficient_stock');
    expect(e.details).toMatchObject({ needed: 98, available: 97 });
    expect((await failure(recordStockAdjustment(clinic.db, clinic.pharmacist, m, { delta: 0, reason: 'nol' }))).code).toBe('invalid');
    expect((await failure(recordStockReceipt(clinic.db, clinic.pharmacist, m, { quantity: -1 }))).code).toBe('invalid');
    expect((await failure(recordStockReceipt(clinic.db, clinic.pharmacist, randomUUID(), { quantity: 1 }))).code).toBe('not_found');
    const mv = await listStockMovements(clinic.db, m, { limit: 10, offset: 0 });
    expect(mv.map((x) => [x.kind, x.quantity])).toEqual([
      ['adjustment', -3],
      ['receipt', 90],
    ]);
  });

  it('lists the pharmacy clinic.queue oldest first, paged, with the patient and clinic.queue number', async () => {
    const q = await listPharmacyQueue(clinic.db, clinic.pharmacist, { status: 'issued', limit: 2, offset: 0 });
    expect(q.total).toBeGreaterThan(2);
    expect(q.prescriptions).toHaveLength(2);
    expect(q.prescriptions[0].id).toBe(demoIds.prescription);
    expect(q.prescriptions[1]).toMatchObject({ patientName: 'Budi Santoso', ticketLabel: expect.stringMatching(/^A-\d{3}$/) });
    const page2 = await listPharmacyQueue(clinic.db, clinic.pharmacist, { status: 'issued', limit: 2, offset: 2 });
    expect(page2.prescriptions[0].id).not.toBe(q.prescriptions[1].id);
  });

  it('a failing insert leaves neither the prescription nor its outbox entry', async () => {
    const failOn = (pattern: RegExp): Db =>
      ({
        query: (sql, params) => clinic.db.query(sql, params),
        transaction: (fn) =>
          clinic.db.transaction((tx) =>
            fn({ query: (sql: string, params?: unknown[]) => (pattern.test(sql) ? Promise.reject(new Error('power cut')) : tx.query(sql, params)) } as never),
          ),
      }) as Db;
    const before = (await clinic.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM prescriptions) + (SELECT count(*) FROM outbox) AS n`)).rows[0].n;
    const input = { encounterId: encounter.id, items: [{ formularyId: demoIds.formularyParacetamol, signa: '1 x 1', quantity: 1, days: 1 }] };
    await expect(issuePrescription(failOn(/INSERT INTO outbox/), clinic.doctor, input)).rejects.toThrow('power cut');
    await expect(issuePrescription(failOn(/INSERT INTO prescription_items/), clinic.doctor, input)).rejects.toThrow('power cut');
    const after = (await clinic.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM prescriptions) + (SELECT count(*) FROM outbox) AS n`)).rows[0].n;
    expect(after).toBe(before);
  });

  it('the ticket link shows this visit’s prescriptions only; a closed encounter takes no new ones', async () => {
    const mine = await prescriptionsForTicket(clinic.db, ticketId);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.items.length > 0)).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(clinic.doctor.staffId);
    expect(mine.map((p) => p.id)).not.toContain(demoIds.prescription); // another ticket's visit
    await updateEncounter(clinic.db, clinic.doctor, encounter.id, { diagnoses: [{ code: 'J06.9', kind: 'primary' }] });
    await closeEncounter(clinic.db, clinic.queue, clinic.doctor, encounter.id);
    expect((await failure(prescribe([{ formularyId: demoIds.formularyParacetamol, quantity: 1 }]))).code).toBe('invalid_state');
  });
});
