import { StripeInvoiceSchema, toInvoiceRow } from '../../../src/webhooks/mirror/invoice';

/** An invoice as Stripe sends it in a webhook, with only the fields the mirror reads. */
function invoice(status: string | null, lines?: { description: string | null; amount: number }[], hasMore = false) {
  return StripeInvoiceSchema.parse({
    id: 'in_lines1',
    status,
    currency: 'usd',
    amount_due: 2900,
    amount_paid: 0,
    amount_remaining: 2900,
    attempt_count: 0,
    created: 1_780_000_000,
    ...(lines && {
      lines: {
        object: 'list',
        data: lines.map((l, i) => ({ id: `il_${i}`, object: 'line_item', currency: 'usd', ...l })),
        has_more: hasMore,
        url: '/v1/invoices/in_lines1/lines',
      },
    }),
  });
}
const summaryOf = (i: ReturnType<typeof invoice>, deleted = false) =>
  toInvoiceRow(i, 'org_lines', new Date(), deleted).line_summary;

describe('the invoice mirror keeps a finalized invoice’s lines for its email', () => {
  const lines = [
    { description: '1 × Starter (at $29.00 / month)', amount: 2900 },
    { description: null, amount: -500 },
  ];

  it('summarizes the lines of an open, paid, uncollectible or void invoice as the email lists them', () => {
    for (const status of ['open', 'paid', 'uncollectible', 'void'])
      expect(summaryOf(invoice(status, lines))).toBe('1 × Starter (at $29.00 / month): $29.00\nItem: -$5.00');
  });

  it('says there are more lines when Stripe sent only the first page', () => {
    expect(summaryOf(invoice('open', lines, true))).toBe(
      '1 × Starter (at $29.00 / month): $29.00\nItem: -$5.00\nMore lines are on the invoice.',
    );
  });

  it('keeps nothing for a draft (its lines may still change), a deleted invoice, or an event without lines', () => {
    expect(summaryOf(invoice('draft', lines))).toBeNull();
    expect(summaryOf(invoice(null, lines))).toBeNull();
    expect(summaryOf(invoice('open', lines), true)).toBeNull();
    expect(summaryOf(invoice('paid'))).toBeNull();
    expect(summaryOf(invoice('paid', []))).toBeNull();
  });

  it('mirrors an invoice whose lines it cannot read without a summary (the mailer then asks Stripe)', () => {
    const odd = invoice('open', [{ description: 'x', amount: 1.5 }]);
    expect(odd.id).toBe('in_lines1');
    expect(summaryOf(odd)).toBeNull();
  });
});
