import { z } from 'zod';
import { INVOICE_EMAIL_KINDS } from '../../domain/invoice-emails';
import { ResendError, resendInvoiceEmails } from '../../invoice-delivery';
import { billingEmailResolver } from '../../notifications/billing-recipient';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

export const resendInvoiceCommand: CliCommand = {
  name: 'resend-invoice',
  summary: "Sends an invoice's undelivered email and/or receipt again through the outbox (never one already delivered)",
  usage: 'resend-invoice --invoice <in_…> [--kind invoice_issued|invoice_receipt] [--json]',
  example: 'npm run billing -- resend-invoice --invoice in_1QkY7dLkdIwHu7ix --json',
  async run(argv, { db, out }) {
    const options = parseOptions(
      argv,
      z.object({
        invoice: z.string().regex(/^in_[A-Za-z0-9_]{1,200}$/, 'a Stripe invoice id (in_…)'),
        kind: z.enum(INVOICE_EMAIL_KINDS).optional(),
        json: z.boolean().optional(),
      }),
      ['json'],
    );
    try {
      const result = await resendInvoiceEmails(db, billingEmailResolver(db), {
        stripeInvoiceId: options.invoice,
        kind: options.kind,
      });
      if (options.json) return out(JSON.stringify(result, null, 2));
      for (const e of result.emails) out(`${result.stripeInvoiceId} ${e.kind}: ${e.outcome}`);
    } catch (err) {
      if (err instanceof ResendError) throw new Error(`${err.reason}: ${err.message}`, { cause: err });
      throw err;
    }
  },
};
