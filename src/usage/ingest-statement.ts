import { preparedQuery, type Db } from '../db/database';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';
import { arrayLiteral, quoted } from './array-literals';
import { CLAIMING_STATEMENT, claimingParameters } from './ingest-statement-claiming';
import { NEW_IDS_STATEMENT, newIdsParameters } from './ingest-statement-new-ids';

/** One event ready to store: validated, deduplicated within its batch, its period decided. */
export interface PlacedEvent {
  id: string;
  organizationId: string;
  metric: UsageMetric;
  quantity: number;
  occurredAt: number;
  periodStart: number;
  periodEnd: number;
  subscriptionId: string | null;
  /** The plan's limit for alerting; null = unlimited. */
  limit: number | null;
}

export interface CrossedThreshold {
  organization_id: string;
  metric: UsageMetric;
  period_start: string;
  period_end: string;
  threshold_percent: 80 | 100;
  limit_value: number;
  used: number;
}

const GAUGES = arrayLiteral(GAUGE_METRICS.map(quoted));

const isLedgerConflict = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505' && (err as { constraint?: unknown }).constraint === 'usage_event_keys_pkey';

/**
 * Stores a batch (ids distinct) in one statement and answers which ids it claimed and which thresholds
 * it crossed. Optimistically first the statement for all-new ids (src/usage/ingest-statement-new-ids.ts:
 * a plain ledger insert and totals computed here, as cheap as a bare insert can be); an id counted
 * before makes it fail as a whole (unique violation, nothing kept), and the claiming statement
 * (src/usage/ingest-statement-claiming.ts: ON CONFLICT DO NOTHING, totals of the claimed events only)
 * stores the batch instead. Inside a caller's transaction, where a failed statement would abort it,
 * the claiming statement runs at once.
 */
export async function storePlacedEvents(db: Db, events: readonly PlacedEvent[]): Promise<{ acceptedIds: string[]; crossed: CrossedThreshold[] }> {
  type Row = { counted_before: string[]; crossed: CrossedThreshold[] };
  const claiming = () => preparedQuery<Row>(db, CLAIMING_STATEMENT, [...claimingParameters(events), GAUGES]);
  let rows: Row[];
  if (db.isTransaction) rows = await claiming();
  else {
    try {
      rows = await preparedQuery<Row>(db, NEW_IDS_STATEMENT, [...newIdsParameters(events), GAUGES]);
    } catch (err) {
      if (!isLedgerConflict(err)) throw err;
      rows = await claiming();
    }
  }
  const row = rows[0];
  if (!row) throw new Error('usage statement returned no row');
  // The ids already counted (usually none) come back rather than the accepted ones: less to send and parse.
  const countedBefore = new Set(row.counted_before);
  return { acceptedIds: countedBefore.size === 0 ? events.map((e) => e.id) : events.filter((e) => !countedBefore.has(e.id)).map((e) => e.id), crossed: row.crossed };
}
