import type { Endpoint } from '../../endpoint';
import { assignContractEndpoint } from './assign-contract';
import { createCouponEndpoint, createPromotionCodeEndpoint } from './discounts';
import { healthReportEndpoint } from './health-report';
import { refundInvoiceEndpoint } from './refund-invoice';
import { resendInvoiceEndpoint } from './resend-invoice';
import { undeliveredInvoicesEndpoint } from './undelivered-invoices';

/** Operator endpoints under /api/v1/billing/admin, authenticated by ADMIN_TOKENS (see middleware/admin.ts). */
export const adminEndpoints: Endpoint[] = [
  healthReportEndpoint,
  undeliveredInvoicesEndpoint,
  resendInvoiceEndpoint,
  refundInvoiceEndpoint,
  assignContractEndpoint,
  createCouponEndpoint,
  createPromotionCodeEndpoint,
];
