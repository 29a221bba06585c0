import { formatMoney } from '../notifications/templates/format';
import { describeTarget, formatPercent } from '../domain/success-targets';
import type { BillingHealthReport } from './billing-health';

const LABELS = {
  payment_success_rate: 'payment success rate',
  webhook_processing_failure_rate: 'webhook processing failures',
  invoice_delivery_rate: 'invoice delivery',
  payment_retry_rate: 'payment retry rate',
} as const;

/** The report as an operator reads it in a terminal: each figure, its counts, its target, met or not. */
export function formatHealthReport(report: BillingHealthReport): string[] {
  const lines = [`billing health ${report.range.from} → ${report.range.to}`];
  for (const f of report.figures) {
    const value = f.value === null ? 'no data' : formatPercent(f.value);
    const verdict = f.met === null ? '-' : f.met ? 'met' : 'MISSED';
    lines.push(
      `  ${LABELS[f.figure].padEnd(28)} ${value.padStart(9)}  (${f.numerator}/${f.denominator})  target ${describeTarget(f.target).padEnd(8)} ${verdict}`,
    );
  }
  const { webhookEventsStillFailing: failing, webhookEventsDeadLettered: dead } = report.details;
  if (failing > 0 || dead > 0)
    lines.push(
      `  webhook events               ${failing} failing and retried, ${dead} dead-lettered${dead > 0 ? ' (npm run billing -- redrive-events)' : ''}`,
    );
  if (report.dunningRevenue.length === 0) lines.push('  dunning revenue              none recovered or lost');
  for (const r of report.dunningRevenue) {
    lines.push(
      `  dunning revenue (${r.currency})        recovered ${formatMoney(r.recovered, r.currency)} (${r.recoveredInvoices} invoices), lost ${formatMoney(r.lost, r.currency)} (${r.lostInvoices} invoices)`,
    );
  }
  const missing = report.details.organizationsWithoutBillingEmail;
  if (missing.length > 0) {
    lines.push(
      `  without a billing email       ${missing.length} organization(s): their invoice emails cannot be sent`,
    );
    for (const m of missing) lines.push(`    ${m.organizationId} (${m.stripeCustomerId})`);
  }
  return lines;
}
