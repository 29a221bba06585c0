import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { healthReportRoute } from './health-report';
import { resendInvoiceRoute } from './resend-invoice';
import { undeliveredInvoicesRoute } from './undelivered-invoices';

/** Operator routes under /api/v1/billing/admin, authenticated by ADMIN_TOKENS (see middleware/admin.ts). */
export const adminRoutes = new OpenAPIHono<AppEnv>().route('/', healthReportRoute).route('/', undeliveredInvoicesRoute).route('/', resendInvoiceRoute);
