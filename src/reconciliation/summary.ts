import type { PageResult } from './deps';

export interface ReconciliationInput {
  /** How far back invoices are compared; subscriptions are always compared in full. */
  invoiceLookbackDays?: number;
}

export interface ReconciliationSummary {
  subscriptionsChecked: number;
  invoicesChecked: number;
  /** Everything repaired or signalled (the first 200; counts are complete). */
  repaired: PageResult['repaired'];
  repairedCount: number;
}

export const DEFAULT_INVOICE_LOOKBACK_DAYS = 35;
const KEPT = 200;

export function emptySummary(): ReconciliationSummary {
  return { subscriptionsChecked: 0, invoicesChecked: 0, repaired: [], repairedCount: 0 };
}

export function addPage(summary: ReconciliationSummary, kind: 'subscriptions' | 'invoices', page: PageResult): void {
  if (kind === 'subscriptions') summary.subscriptionsChecked += page.checked;
  else summary.invoicesChecked += page.checked;
  summary.repairedCount += page.repaired.length;
  summary.repaired.push(...page.repaired.slice(0, Math.max(0, KEPT - summary.repaired.length)));
}

export interface PageReaders {
  subscriptions(input: { runKey: string; startingAfter: string | null }): Promise<PageResult>;
  invoices(input: { runKey: string; startingAfter: string | null; createdSince: number }): Promise<PageResult>;
}

/** Pages through subscriptions, then recent invoices. Pure sequencing, shared by the workflow and the in-process run. */
export async function reconcileAll(
  read: PageReaders,
  runKey: string,
  nowMs: number,
  input: ReconciliationInput = {},
): Promise<ReconciliationSummary> {
  const summary = emptySummary();
  let cursor: string | null = null;
  do {
    const page: PageResult = await read.subscriptions({ runKey, startingAfter: cursor });
    addPage(summary, 'subscriptions', page);
    cursor = page.next;
  } while (cursor);
  const createdSince = Math.floor(nowMs / 1000) - (input.invoiceLookbackDays ?? DEFAULT_INVOICE_LOOKBACK_DAYS) * 86_400;
  do {
    const page: PageResult = await read.invoices({ runKey, startingAfter: cursor, createdSince });
    addPage(summary, 'invoices', page);
    cursor = page.next;
  } while (cursor);
  return summary;
}
