import type { Endpoint } from '../../endpoint';
import { createCouponEndpoint, createPromotionCodeEndpoint } from './discounts';
import { assignContractEndpoint } from './assign-contract';
import { healthReportEndpoint } from './health-report';
import { refundInvoiceEndpoint } from './refund-invoice';
import { resendInvoiceEndpoint } from './resend-invoice';
import { undeliveredInvoicesEndpoint } from './undelivered-invoices';

/** Operator endpoints under /api/v1/billing/admin, authenticated by ADMIN_TOKENS (see middleware/admin.ts). */
export const adminEndpoints: Endpoint[] = [
  healthReportEndpoint,
  undeliveredInvoicesEndpoint,
  resendInvoiceEndpoint,
  createCouponEndpoint,
  createPromotionCodeEndpoint,
  refundInvoiceEndpoint,
  assignContractEndpoint,
];
