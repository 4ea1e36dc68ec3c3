import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute, errorContent, jsonBody, jsonResponses } from '../openapi.ts';
import { formularyAnswer, formularyItem, movementsAnswer, pharmacyQueueAnswer, prescription } from '../schemas/pharmacy.ts';
import { paging, uuidParam } from './patients.ts';
import { assertMayTreatEncounter } from '../../clinic/midwife.ts';
import { demoIds } from '../../clinic/demo-ids.ts';
import {
  dispenseOwed,
  dispensePrescription,
  getPrescription,
  issuePrescription,
  listPharmacyQueue,
  listStockMovements,
  markPickedUp,
  prescriptionInput,
  pharmacyLists,
  recordStockAdjustment,
  recordStockReceipt,
  searchFormulary,
  stockAdjustmentInput,
  stockReceiptInput,
} from '../../clinic/prescriptions.ts';
import { text } from '../../clinic/text.ts';

const prescriptionId = uuidParam('id', demoIds.prescription);
const formularyId = uuidParam('id', demoIds.formularyParacetamol);
const stateConflict = { 409: errorContent('not possible in the prescription’s state, or not enough stock (`insufficient_stock` names the medicine, needed and available)') };

/** Formulary search, stock, prescriptions and the pharmacy's list. */
export function registerPrescriptions(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['doctor', 'pharmacist', 'nurse', 'admin', 'midwife'], {
      method: 'get',
      path: '/api/v1/formulary',
      tags: ['pharmacy'],
      summary: 'Search the formulary (answers as you type), with stock on hand',
      description: 'By name prefix, a word of the name, or a KFA code. An empty `q` lists the formulary alphabetically.',
      request: { query: z.object({ q: text().max(100).default('').openapi({ example: 'para' }), ...paging }) },
      responses: jsonResponses('medicines: name, strength, form, KFA code, unit, stock', formularyAnswer),
    }),
    async (c) => {
      const { q, limit, offset } = c.req.valid('query');
      return c.json({ items: await searchFormulary(c.get('deps').db, q, { limit, offset }) }, 200);
    },
  );

  app.openapi(
    apiRoute(['pharmacist', 'admin'], {
      method: 'get',
      path: '/api/v1/formulary/{id}/movements',
      tags: ['pharmacy'],
      summary: 'Stock movements of a medicine (receipts, adjustments, dispensing), newest first',
      request: { params: formularyId, query: z.object(paging) },
      responses: { ...jsonResponses('movements', movementsAnswer), 404: errorContent('no such medicine') },
    }),
    async (c) => c.json({ movements: await listStockMovements(c.get('deps').db, c.req.valid('param').id, c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute(['pharmacist'], {
      method: 'post',
      path: '/api/v1/formulary/{id}/receipts',
      tags: ['pharmacy'],
      summary: 'Record a stock receipt (stock goes up)',
      request: { params: formularyId, ...jsonBody(stockReceiptInput.meta({ example: { quantity: 100, reason: 'kiriman Dinkes, faktur 2025/117' } })) },
      responses: { ...jsonResponses('the medicine with its new stock', formularyItem), 404: errorContent('no such medicine') },
    }),
    async (c) => c.json(await recordStockReceipt(c.get('deps').db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    apiRoute(['pharmacist'], {
      method: 'post',
      path: '/api/v1/formulary/{id}/adjustments',
      tags: ['pharmacy'],
      summary: 'Record a stock adjustment (count, breakage, expiry); never below zero',
      request: { params: formularyId, ...jsonBody(stockAdjustmentInput.meta({ example: { delta: -5, reason: 'kedaluwarsa' } })) },
      responses: { ...jsonResponses('the medicine with its new stock', formularyItem), 404: errorContent('no such medicine'), 409: errorContent('would go below zero') },
    }),
    async (c) => c.json(await recordStockAdjustment(c.get('deps').db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    apiRoute(['doctor', 'midwife'], {
      method: 'post',
      path: '/api/v1/prescriptions',
      tags: ['pharmacy'],
      summary: 'Prescribe from the formulary during an open encounter',
      request: jsonBody(
        prescriptionInput.meta({
          example: {
            encounterId: demoIds.encounter,
            items: [{ formularyId: demoIds.formularyParacetamol, signa: '3 x 1 tablet sesudah makan bila demam', quantity: 10, days: 3 }],
            note: '',
          },
        }),
      ),
      responses: {
        ...jsonResponses('the issued prescription', prescription),
        404: errorContent('no such encounter'),
        409: errorContent('the encounter is closed'),
        422: errorContent('a medicine not in the formulary'),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      await assertMayTreatEncounter(c.get('deps').db, actorOf(c), input.encounterId);
      return c.json(await issuePrescription(c.get('deps').db, actorOf(c), input), 200);
    },
  );

  app.openapi(
    apiRoute(['doctor', 'pharmacist', 'admin', 'midwife'], {
      method: 'get',
      path: '/api/v1/prescriptions/{id}',
      tags: ['pharmacy'],
      summary: 'A prescription with its items and stock on hand',
      request: { params: prescriptionId },
      responses: { ...jsonResponses('the prescription', prescription), 404: errorContent('no such prescription') },
    }),
    async (c) => c.json(await getPrescription(c.get('deps').db, actorOf(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    apiRoute(['pharmacist', 'admin'], {
      method: 'get',
      path: '/api/v1/pharmacy/queue',
      tags: ['pharmacy'],
      summary:
        'The pharmacist’s list: prescriptions to dispense (oldest first), dispensed ones awaiting pick-up, collected ones, or those with medicine still owed (`owed`, oldest first)',
      request: { query: z.object({ status: z.enum(pharmacyLists).default('issued'), ...paging }) },
      responses: jsonResponses('total and one page of prescriptions with items, patient name and queue number', pharmacyQueueAnswer),
    }),
    async (c) => c.json(await listPharmacyQueue(c.get('deps').db, actorOf(c), c.req.valid('query')), 200),
  );

  app.openapi(
    apiRoute(['pharmacist'], {
      method: 'post',
      path: '/api/v1/prescriptions/{id}/dispense',
      tags: ['pharmacy'],
      summary: 'Dispense: every item’s stock goes down together, or nothing changes',
      description:
        'With `partial=true` what is on hand of each line is handed out and the rest is owed (each item’s `dispensedQuantity` below its `quantity`); refused only when none of it is on hand.',
      request: { params: prescriptionId, query: z.object({ partial: z.enum(['true', 'false']).optional() }) },
      responses: { ...jsonResponses('the dispensed prescription', prescription), 404: errorContent('no such prescription'), ...stateConflict },
    }),
    async (c) => c.json(await dispensePrescription(c.get('deps').db, actorOf(c), c.req.valid('param').id, { partial: c.req.valid('query').partial === 'true' }), 200),
  );

  app.openapi(
    apiRoute(['pharmacist'], {
      method: 'post',
      path: '/api/v1/prescriptions/{id}/dispense-owed',
      tags: ['pharmacy'],
      summary: 'Hand out the rest owed of a partly dispensed prescription, once stock has come',
      description:
        'Every owed line is handed out in full and its stock goes down together, or nothing changes (`insufficient_stock` names the medicine still short). The status stays. Nothing owed (any more): the prescription as it is, unchanged; not yet dispensed: 409.',
      request: { params: prescriptionId },
      responses: { ...jsonResponses('the prescription, nothing owed', prescription), 404: errorContent('no such prescription'), ...stateConflict },
    }),
    async (c) => c.json(await dispenseOwed(c.get('deps').db, actorOf(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    apiRoute(['pharmacist'], {
      method: 'post',
      path: '/api/v1/prescriptions/{id}/pick-up',
      tags: ['pharmacy'],
      summary: 'The patient has taken the medicines',
      request: { params: prescriptionId },
      responses: { ...jsonResponses('the prescription', prescription), 404: errorContent('no such prescription'), ...stateConflict },
    }),
    async (c) => c.json(await markPickedUp(c.get('deps').db, actorOf(c), c.req.valid('param').id), 200),
  );
}
