import { z } from '@hono/zod-openapi';
import { lb1AgeGroups } from '../../clinic/reports.ts';
import { date, dateTime, id } from './common.ts';

/** Answers of the report route (routes/reports.ts); clinic/reports.ts `ClinicReport`. Figures only, no names. */
const stat = z.object({ count: z.number().int(), average: z.number().nullable(), median: z.number().nullable(), p90: z.number().nullable() });
const bySex = z.object({ L: z.number().int(), P: z.number().int() });

export const clinicReportAnswer = z
  .object({
    period: z.string().openapi({ example: '2026-03' }),
    kind: z.enum(['day', 'month', 'range']),
    firstDay: date,
    lastDay: date,
    facility: z.object({ code: z.string(), name: z.string() }),
    generatedAt: dateTime,
    visitsByPoli: z.array(
      z.object({
        poli: z.string(),
        name: z.string(),
        taken: z.number().int(),
        served: z.number().int(),
        noShow: z.number().int(),
        skipped: z.number().int(),
        unfinished: z.number().int(),
        visits: z.number().int(),
        remoteVisits: z.number().int(),
      }),
    ),
    series: z
      .object({ unit: z.enum(['hour', 'day']), points: z.array(z.object({ at: z.string(), taken: z.number().int(), served: z.number().int() })) })
      .openapi({ description: 'numbers taken and served by local hour (a day) or by day (a month or range), for the chart' }),
    times: z.array(z.object({ poli: z.string(), wait: stat, service: stat }).openapi({ description: 'minutes: wait = number taken → called; service = called → finished' })),
    lb1: z
      .object({
        ageGroups: z.array(z.enum(lb1AgeGroups)),
        rule: z.string(),
        rows: z.array(
          z
            .object({
              code: z.string(),
              name: z.string(),
              total: z.number().int(),
              newCases: bySex,
              oldCases: bySex,
              byAge: z.array(z.object({ group: z.enum(lb1AgeGroups), L: z.number().int(), P: z.number().int() })),
            })
            .openapi('Lb1Row'),
        ),
      })
      .openapi({ description: 'the monthly morbidity report (LB1): cases by ICD-10 code, sex, age group, new or old' }),
    topDiagnoses: z.array(z.object({ code: z.string(), name: z.string(), total: z.number().int() })),
    prescriptions: z.object({
      issued: z.number().int(),
      dispensed: z.number().int(),
      pickedUp: z.number().int(),
      waiting: z.number().int(),
      items: z.number().int(),
      medicines: z.array(z.object({ formularyId: id, name: z.string(), strength: z.string(), unit: z.string(), prescriptions: z.number().int(), quantity: z.number().int() })),
    }),
    stockLow: z
      .object({
        threshold: z.object({ days: z.number().int() }),
        items: z.array(
          z.object({
            formularyId: id,
            name: z.string(),
            strength: z.string(),
            unit: z.string(),
            stock: z.number().int(),
            dailyUse: z.number(),
            daysLeft: z.number().int().nullable(),
          }),
        ),
      })
      .openapi({ description: 'stock now, against the last 30 days’ prescribing: out of stock or lasting fewer than `threshold.days`' }),
    referrals: z.object({
      total: z.number().int(),
      emergency: z.number().int(),
      byHospital: z.array(
        z.object({ hospitalCode: z.string(), hospitalName: z.string(), total: z.number().int(), emergency: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
      ),
    }),
  })
  .openapi('ClinicReport');
export type ClinicReportAnswer = z.infer<typeof clinicReportAnswer>;
