import type { SummaryRow } from './summary';

const EMAIL_LABELS: Record<string, string> = {
  trial_ending: 'trial reminder',
  trial_ended_without_payment_method: 'trial ended',
  payment_failed: 'payment failed',
  payment_recovered: 'recovered',
  final_notice: 'final notice',
  subscription_canceled: 'canceled',
  usage_threshold: 'usage alert',
};

function emailCell(emails: Record<string, number>): string {
  const parts = Object.entries(emails).map(([kind, n]) => `${EMAIL_LABELS[kind] ?? kind} ×${n}`);
  return parts.length ? parts.join(', ') : '—';
}

/** The closing table: one row per organization, with whether the read model, Stripe and the story agree. */
export function renderSummary(rows: readonly SummaryRow[]): string {
  const header = ['Organization', 'Plan', 'Status (read model / Stripe)', 'Invoices paid', 'unpaid', 'Emails', 'Check'];
  const body = rows.map((r) => [
    r.org,
    r.plan,
    `${r.status} / ${r.stripeStatus}`,
    String(r.paid),
    String(r.unpaid),
    emailCell(r.emails),
    r.problems.length ? '✗' : '✓',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)];
  for (const r of rows) for (const p of r.problems) out.push(`✗ ${r.org}: ${p}`);
  return out.join('\n');
}
