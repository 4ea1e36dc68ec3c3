import { z } from '@hono/zod-openapi';
import { prescriptionStatuses } from '../../clinic/prescriptions.ts';
import { dateTime, id } from './common.ts';

/** Answers of the formulary, stock and prescription routes (routes/prescriptions.ts); clinic/prescriptions.ts shapes. */

export const formularyItem = z
  .object({
    id,
    name: z.string(),
    strength: z.string(),
    form: z.string(),
    kfaCode: z.string().nullable(),
    unit: z.string(),
    stock: z.number().int(),
    active: z.boolean(),
  })
  .openapi('FormularyItem');
export type FormularyItemAnswer = z.infer<typeof formularyItem>;

export const formularyAnswer = z.object({ items: z.array(formularyItem) });
export type FormularyAnswer = z.infer<typeof formularyAnswer>;

export const stockMovement = z
  .object({
    id,
    kind: z.string().openapi({ example: 'receipt' }),
    quantity: z.number().int().openapi({ description: 'signed: a receipt is positive, dispensing negative' }),
    reason: z.string(),
    prescriptionId: id.nullable(),
    staff: z.string().nullable().openapi({ description: 'full name of who recorded it' }),
    at: dateTime,
  })
  .openapi('StockMovement');
export const movementsAnswer = z.object({ movements: z.array(stockMovement) });
export type MovementsAnswer = z.infer<typeof movementsAnswer>;

const prescriptionStatus = z.enum(prescriptionStatuses);

export const prescriptionItem = z.object({
  line: z.number().int(),
  formularyId: id,
  name: z.string(),
  strength: z.string(),
  form: z.string(),
  unit: z.string(),
  kfaCode: z.string().nullable(),
  signa: z.string(),
  quantity: z.number().int(),
  days: z.number().int(),
  stock: z.number().int().optional().openapi({ description: 'stock on hand now' }),
  dispensedQuantity: z.number().int().nullable().openapi({ description: 'handed out (null before dispensing); below `quantity` the rest is owed' }),
});

export const prescription = z
  .object({
    id,
    encounterId: id,
    patientId: id,
    patientName: z.string(),
    prescriberId: id,
    prescriberName: z.string(),
    status: prescriptionStatus,
    note: z.string(),
    version: z.number().int(),
    issuedAt: dateTime,
    dispensedAt: dateTime.nullable(),
    dispensedBy: id.nullable(),
    pickedUpAt: dateTime.nullable(),
    ticketLabel: z.string().nullable().openapi({ description: 'the queue number the patient carries today' }),
    items: z.array(prescriptionItem),
  })
  .openapi('Prescription');
export type PrescriptionAnswer = z.infer<typeof prescription>;

export const pharmacyQueueAnswer = z.object({ total: z.number().int(), prescriptions: z.array(prescription) });
export type PharmacyQueueAnswer = z.infer<typeof pharmacyQueueAnswer>;

/** The patient's copy through the ticket link: medicines, signa, status; no staff ids, no stock. */
export const patientPrescription = z
  .object({
    id,
    status: prescriptionStatus,
    issuedAt: dateTime,
    dispensedAt: dateTime.nullable(),
    pickedUpAt: dateTime.nullable(),
    prescriberName: z.string(),
    note: z.string(),
    items: z.array(z.object({ name: z.string(), strength: z.string(), form: z.string(), unit: z.string(), signa: z.string(), quantity: z.number().int(), days: z.number().int() })),
  })
  .openapi('PatientPrescription');
