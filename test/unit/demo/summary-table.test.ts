import type { SummaryRow } from '../../../tools/demo/summary';
import { renderSummary } from '../../../tools/demo/summary-table';

const row = (over: Partial<SummaryRow>): SummaryRow => ({
  org: 'Acme',
  plan: 'starter',
  status: 'active',
  stripeStatus: 'active',
  paid: 2,
  unpaid: 0,
  emails: {},
  problems: [],
  ...over,
});

describe('the demo summary table', () => {
  test('shows one aligned row per organization with statuses from both sides and email counts by kind', () => {
    const table = renderSummary([
      row({}),
      row({
        org: 'Initech',
        plan: 'free',
        status: 'canceled',
        stripeStatus: 'canceled',
        paid: 1,
        unpaid: 1,
        emails: { payment_failed: 5, final_notice: 1 },
      }),
    ]).split('\n');
    expect(table[0]).toMatch(
      /^Organization\s+Plan\s+Status \(read model \/ Stripe\)\s+Invoices paid\s+unpaid\s+Emails\s+Check$/,
    );
    expect(table[2]).toMatch(/^Acme\s+starter\s+active \/ active\s+2\s+0\s+—\s+✓$/);
    expect(table[3]).toMatch(
      /^Initech\s+free\s+canceled \/ canceled\s+1\s+1\s+payment failed ×5, final notice ×1\s+✓$/,
    );
    const planColumn = table[0]?.indexOf('Plan');
    expect([table[2]?.indexOf('starter'), table[3]?.indexOf('free')]).toEqual([planColumn, planColumn]);
  });

  test('marks a disagreeing row and lists each problem under the table', () => {
    const table = renderSummary([
      row({ status: 'trialing', stripeStatus: 'past_due', problems: ['status: read model trialing, Stripe past_due'] }),
    ]);
    expect(table).toMatch(/trialing \/ past_due.*✗/);
    expect(table.split('\n').at(-1)).toBe('✗ Acme: status: read model trialing, Stripe past_due');
  });
});
