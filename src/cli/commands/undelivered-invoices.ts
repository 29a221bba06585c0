import { z } from 'zod';
import { listUndeliveredInvoiceEmails } from '../../invoice-delivery';
import { organizationId, parseOptions } from '../args';
import type { CliCommand } from '../command';

export const undeliveredInvoicesCommand: CliCommand = {
  name: 'undelivered-invoices',
  summary: 'Invoice emails and receipts not (yet) accepted by the mail server: failed, retrying, or not stored yet',
  usage: 'undelivered-invoices [--org <organizationId>] [--limit <n invoices, default 100>] [--json]',
  example: 'npm run billing -- undelivered-invoices --org org_acme --json',
  async run(argv, { db, out }) {
    const options = parseOptions(
      argv,
      z.object({
        org: organizationId.optional(),
        limit: z.coerce.number().int().min(1).max(10_000).default(100),
        json: z.boolean().optional(),
      }),
      ['json'],
    );
    const emails = await listUndeliveredInvoiceEmails(db, { organizationId: options.org, limit: options.limit });
    if (options.json) return out(JSON.stringify({ data: emails }, null, 2));
    if (emails.length === 0) return out('every invoice email has been delivered');
    for (const e of emails) {
      out(
        `${e.stripeInvoiceId} ${e.kind.padEnd(15)} ${e.status.padEnd(7)} org=${e.organizationId} attempts=${e.attempts}` +
          `${e.toAddress ? ` to=${e.toAddress}` : ''}${e.lastError ? ` error=${JSON.stringify(e.lastError)}` : ''}`,
      );
    }
    out(`${emails.length} undelivered; re-send one with: npm run billing -- resend-invoice --invoice <in_…>`);
  },
};
