import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';
import { demoIds } from '../../clinic/demo-ids.ts';

type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;

/**
 * The rest owed of a partial dispense, handed out later once stock has come: listed as `owed`,
 * refused in Bahasa Indonesia while still short (naming the medicine), then handed out with the
 * stock going down, an audit row and a new outbox version; nothing left owed, it leaves the list.
 */
describe('handing out the rest owed later', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('lists what is owed, refuses while short, hands out the rest once stock has come', async () => {
    const doctor = await box.as('doctor');
    const pharmacist = await box.as('pharmacist');
    const salep = (await json(await doctor('/api/v1/formulary?q=salep'))).items[0];
    const stock: number = salep.stock;
    const rx = await json(
      await doctor('/api/v1/prescriptions', {
        method: 'POST',
        json: {
          encounterId: demoIds.encounter,
          items: [
            { formularyId: demoIds.formularyParacetamol, signa: '3 x 1 bila demam', quantity: 10, days: 3 },
            { formularyId: salep.id, signa: 'oles 2 x sehari', quantity: stock + 5, days: 7 },
          ],
        },
      }),
    );
    // Not yet dispensed: nothing is owed, nothing to hand out later.
    expect((await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense-owed`, { method: 'POST' })).status).toBe(409);
    expect((await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense?partial=true`, { method: 'POST' })).status).toBe(200);

    const owedList = await json(await pharmacist('/api/v1/pharmacy/queue?status=owed'));
    expect(owedList.prescriptions.map((p: Json) => p.id)).toContain(rx.id);
    const listed = owedList.prescriptions.find((p: Json) => p.id === rx.id);
    expect(listed.items.map((i: Json) => [i.quantity, i.dispensedQuantity])).toEqual([
      [10, 10],
      [stock + 5, stock],
    ]);
    expect(owedList.total).toBe(owedList.prescriptions.length);

    // Still short: refused, in Bahasa Indonesia, naming the medicine; nothing changes.
    const short = await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense-owed`, { method: 'POST' });
    expect(short.status).toBe(409);
    const body = await json(short);
    expect(body.error).toMatchObject({ code: 'insufficient_stock', details: { formularyId: salep.id, needed: 5, available: 0 } });
    expect(body.error.message).toMatch(/^Stok Salep 2-4 30 g tidak cukup: perlu 5 tube, tersedia 0\./);

    // Stock comes; the rest goes out, the stock down by what was owed, the status unchanged.
    await pharmacist(`/api/v1/formulary/${salep.id}/receipts`, { method: 'POST', json: { quantity: 8, reason: 'kiriman Dinkes' } });
    const done = await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense-owed`, { method: 'POST' });
    const after = await json(done);
    expect(done.status, JSON.stringify(after)).toBe(200);
    expect(after.status).toBe('dispensed');
    expect(after.items.map((i: Json) => i.dispensedQuantity)).toEqual([10, stock + 5]);
    expect((await json(await pharmacist(`/api/v1/formulary?q=salep`))).items[0].stock).toBe(3);
    const mv = await json(await pharmacist(`/api/v1/formulary/${salep.id}/movements`));
    expect(mv.movements[0]).toMatchObject({ kind: 'dispense', quantity: -5, prescriptionId: rx.id });

    const { rows: audits } = await box.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [rx.id]);
    expect(audits.at(-1)?.action).toBe('update');
    const { rows: outbox } = await box.db.query<{ entity_version: number }>(`SELECT entity_version FROM outbox WHERE entity_id = $1 ORDER BY entity_version`, [rx.id]);
    expect(outbox.map((o) => o.entity_version)).toEqual([1, 2, 3]);

    expect((await json(await pharmacist('/api/v1/pharmacy/queue?status=owed'))).prescriptions.map((p: Json) => p.id)).not.toContain(rx.id);
    // A second tap: the same answer, nothing handed out twice.
    const again = await pharmacist(`/api/v1/prescriptions/${rx.id}/dispense-owed`, { method: 'POST' });
    expect(again.status).toBe(200);
    expect((await json(again)).version).toBe(after.version);
    expect((await json(await pharmacist(`/api/v1/formulary?q=salep`))).items[0].stock).toBe(3);
    expect((await box.db.query(`SELECT 1 FROM outbox WHERE entity_id = $1`, [rx.id])).rows).toHaveLength(3);
    // Only the pharmacist hands out.
    expect((await doctor(`/api/v1/prescriptions/${rx.id}/dispense-owed`, { method: 'POST' })).status).toBe(403);
  });
});
