export { createInvoiceMailer, type InvoiceMailer, type InvoiceMailerDeps, type InvoiceMailerSummary } from './mailer';
export { stripeLineSummary, summarizeLines, type LineSummarySource } from './line-summary';
export { invoiceDeliveries, type DeliveryStatus, type EmailDelivery, type InvoiceDelivery } from './delivery-status';
export { listUndeliveredInvoiceEmails, type UndeliveredInvoiceEmail } from './undelivered';
export { resendInvoiceEmails, ResendError, type ResendOutcome, type ResendResult } from './resend';
