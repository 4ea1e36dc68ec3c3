import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { apiRoute } from '../openapi.ts';
import { jsonResponses } from '../openapi.ts';
import { clinicReportAnswer } from '../schemas/reports.ts';
import { clinicReport, reportPeriod, reportSections } from '../../clinic/reports.ts';
import { audit } from '../../clinic/audit.ts';
import { reportCsv } from '../report-csv.ts';

/**
 * The day's or month's report. Who may read it: the admin (prepares the monthly reports the
 * district office asks for) and the doctor (the head of a puskesmas is usually one, and reads how
 * the day went). Figures only — no names, NIKs or notes — yet the stock and diagnosis figures are
 * the clinic's business, so not the public's, the nurse's desk or the pharmacist's counter.
 */
export function registerReports(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    apiRoute(['admin', 'doctor'], {
      method: 'get',
      path: '/api/v1/reports/{period}',
      tags: ['reports'],
      summary: 'The clinic’s report for a day or a month (JSON, or one section as CSV)',
      description:
        'Visits by poli, waiting and service times (from the queue numbers’ times), the morbidity report LB1 (cases by ICD-10 code, sex, age group, new/old), ' +
        'prescriptions and the medicines on them, stock running low, referrals by hospital. `period` is a clinic day `YYYY-MM-DD` or a month `YYYY-MM` (local time). ' +
        '`format=csv` answers one `section` as CSV for a spreadsheet: UTF-8 with a BOM, `;` between cells and `,` as the decimal mark (Excel set to Indonesian), or `separator=comma`.',
      request: {
        params: z.object({ period: reportPeriod.openapi({ param: { name: 'period', in: 'path' }, example: '2026-03' }) }),
        query: z.object({
          format: z.enum(['json', 'csv']).default('json'),
          section: z.enum(reportSections).default('lb1').openapi({ description: 'which table the CSV holds' }),
          separator: z.enum(['semicolon', 'comma']).default('semicolon'),
        }),
      },
      responses: {
        ...jsonResponses('the report', clinicReportAnswer),
        200: {
          description: 'the report (JSON), or one section as CSV',
          content: { 'application/json': { schema: clinicReportAnswer }, 'text/csv': { schema: z.string().openapi({ example: '\uFEFFKode ICD-10;Penyakit;…' }) } },
        },
      },
    }),
    async (c) => {
      const { db, settings } = c.get('deps');
      const { period } = c.req.valid('param');
      const q = c.req.valid('query');
      const report = await clinicReport(db, settings, period, c.get('deps').now?.() ?? new Date());
      // Who read which report, as for any list (no patient in it).
      await audit(db, actorOf(c), 'list', 'report', null, null, q.format === 'csv' ? `${period} ${q.section}` : period);
      if (q.format === 'csv') {
        const filename = `laporan-${period}-${q.section}.csv`;
        return c.body(reportCsv(report, q.section, c.get('lang'), q.separator), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${filename}"`,
        });
      }
      return c.json(report, 200);
    },
  );
}
