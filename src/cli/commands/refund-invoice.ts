import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { createOutboxNotifier } from '../../notifications';
import { billingEmailResolver } from '../../notifications/billing-recipient';
import { formatMoney } from '../../notifications/templates/format';
import { CREDIT_NOTE_REASONS, RefundError, refundInvoice } from '../../refunds/refund-invoice';
import { createStripeClient } from '../../stripe/client';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

export const refundInvoiceCommand: CliCommand = {
  name: 'refund-invoice',
  summary:
    'Refunds a paid invoice fully or partly through a Stripe credit note, with an audit row and one email to the customer',
  usage:
    'refund-invoice --invoice <in_…> --reason duplicate|fraudulent|order_change|product_unsatisfactory [--amount <minor units>] [--memo <text>] [--key <idempotency key>]',
  example:
    'npm run billing -- refund-invoice --invoice in_1QkY7dLkdIwHu7ix --amount 1000 --reason product_unsatisfactory --memo "Outage on 3 March"',
  async run(argv, { config, db, out }) {
    const options = parseOptions(
      argv,
      z.object({
        invoice: z.string().regex(/^in_[A-Za-z0-9_]{1,200}$/, 'a Stripe invoice id (in_…)'),
        reason: z.enum(CREDIT_NOTE_REASONS),
        amount: z.coerce.number().int().positive().max(99_999_999).optional(),
        memo: z.string().trim().min(1).max(500).optional(),
        key: z
          .string()
          .regex(/^[\w.:-]{8,200}$/, '8–200 letters, digits, _ . : -')
          .optional(),
      }),
    );
    const notifier = createOutboxNotifier({
      db,
      resolveRecipient: billingEmailResolver(db),
      publicUrl: config.http.publicUrl,
    });
    try {
      const cn = await refundInvoice(
        { db, stripe: createStripeClient(config.stripe), notifier },
        {
          stripeInvoiceId: options.invoice,
          amount: options.amount,
          reason: options.reason,
          memo: options.memo,
          actor: `cli:${userInfo().username}`,
          idempotencyKey: options.key ?? `cli-${randomUUID()}`,
        },
      );
      out(
        `${cn.number} on ${cn.stripeInvoiceId}: ${formatMoney(cn.amount, cn.currency)} credited, ${formatMoney(cn.refundedAmount, cn.currency)} refunded (${cn.stripeCreditNoteId})`,
      );
    } catch (err) {
      if (err instanceof RefundError) throw new Error(`${err.reason}: ${err.message}`, { cause: err });
      throw err;
    }
  },
};
