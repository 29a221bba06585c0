import type { Terms } from '../../../src/domain/pricing';
import type { PauseBehavior } from '../../../src/domain/pause';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../src/db/database';
import type { NotificationRequest, Notifier } from '../../../src/notifications/types';

export const utc = (iso: string): number => Date.parse(iso);

let counter = 0;
export function uniqueOrg(prefix = 'org'): string {
  counter += 1;
  return `${prefix}_${counter}_${randomUUID().slice(0, 8)}`;
}

export function event(org: string, metric: string, quantity: number, timestamp: string, id: string = randomUUID()) {
  return { id, organizationId: org, metric, quantity, timestamp };
}

/** A Notifier that records what it was asked to send, deduplicating by key like the outbox does. */
export function recordingNotifier(): Notifier & { sent: NotificationRequest[] } {
  const keys = new Set<string>();
  const sent: NotificationRequest[] = [];
  return {
    sent,
    async enqueue(request) {
      if (keys.has(request.dedupeKey)) return { enqueued: false };
      keys.add(request.dedupeKey);
      sent.push(request);
      return { enqueued: true };
    },
  };
}

/** A live subscription in the read model, as the workflow projects it. */
export async function subscribe(
  db: Db,
  org: string,
  plan: string,
  period: { start: string; end: string },
  status = 'active',
  terms?: Terms,
  pause?: { behavior: PauseBehavior; resumesAt: number | null },
): Promise<void> {
  await db
    .insertInto('subscriptions')
    .values({
      organization_id: org,
      workflow_id: `subscription:${org}`,
      plan,
      status,
      current_period_start: period.start,
      current_period_end: period.end,
      ...(terms && { terms: JSON.stringify(terms) }),
      ...(pause && { pause: JSON.stringify(pause) }),
    })
    .execute();
}

export async function periodTotals(db: Db, org: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('usage_records')
    .select(['metric_type', 'period_start', 'quantity'])
    .where('organization_id', '=', org)
    .execute();
  return Object.fromEntries(
    rows.map((r) => [`${r.metric_type}@${r.period_start.toISOString().slice(0, 10)}`, r.quantity]),
  );
}

export async function dailyTotals(db: Db, org: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('usage_daily')
    .select(['metric', 'day', 'quantity'])
    .where('organization_id', '=', org)
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.metric}@${r.day}`, r.quantity]));
}
