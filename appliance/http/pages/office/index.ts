import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerReportPage } from './report.tsx';
import { registerAccountsPage } from './accounts.tsx';
import { registerPasswordPage } from './password.tsx';
import { registerPatientDetailsPages } from './patient-details.tsx';
import { registerAuditPage } from './audit.tsx';
import { registerPrintedTicketPages } from './printed-ticket.tsx';

/** The office's pages: the report, staff accounts, patient details, the audit log, the printed ticket. */
export function registerOfficePages(app: OpenAPIHono<AppEnv>) {
  registerReportPage(app);
  registerAccountsPage(app);
  registerPasswordPage(app);
  registerPatientDetailsPages(app);
  registerAuditPage(app);
  registerPrintedTicketPages(app);
}
