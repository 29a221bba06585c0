import type { Logger } from 'pino';
import { createPeriodic, type PeriodicService } from '../background/periodic';
import type { SubscriptionClient } from '../subscriptions/client';
import type { Db } from '../db/database';
import { noRelayMetrics, type RelayMetrics } from './metrics';
import { relayRuns, type RunResult } from './relay-event';
import { claimDueEvents, claimFollowers, recordOutcomes, type ClaimedEvent, type RelayOutcome } from './store';

export interface WebhookRelayOptions {
  db: Db;
  subscriptions: SubscriptionClient;
  logger: Logger;
  metrics?: RelayMetrics;
  pollIntervalMs?: number;
  /** Organizations per claim (one head event each). */
  batchSize?: number;
  /** At most this many of one organization's pending events go out together, as one signal. */
  eventsPerSignal?: number;
  /**
   * An organization's run is claimed only once its first pending event is this old (WEBHOOK_RELAY_SETTLE_MS), and
   * it then takes every event stored meanwhile: a burst Stripe sends together (a renewal's invoice finalized and paid
   * with the subscription's update) goes to the workflow as one signal instead of two, and a signal no longer races
   * the task that closes a run on the first half of it. 0: at once.
   */
  settleMs?: number;
  /** How long a claimed event stays hidden from other relays; longer than one delivery can take. */
  leaseSeconds?: number;
  /** Retry delay: base·2^attempts, capped, with jitter so a recovered Temporal is not hit all at once. */
  backoff?: { baseMs: number; maxMs: number };
  /** A Temporal call that hangs (server unreachable) is abandoned after this and retried later. */
  deliveryTimeoutMs?: number;
  /**
   * Failed attempts after which an event is parked as dead-lettered with its error: it stops holding
   * back its organization's later events and waits for `redrive-events` (WEBHOOK_RELAY_MAX_ATTEMPTS).
   */
  maxAttempts: number;
}

/** A background service: `stop` finishes the batch in flight; `nudge` (an event was stored) looks now instead of at the next poll. */
export interface WebhookRelay extends PeriodicService {
  /** Relays until nothing is due; returns how many events were handled (tests, CLIs). */
  drain(): Promise<number>;
}

export function retryDelayMs(
  attempts: number,
  backoff: { baseMs: number; maxMs: number },
  jitter = Math.random(),
): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempts, 30));
  return Math.round(exponential * (0.8 + 0.4 * jitter));
}

/**
 * Delivers stored Stripe events to their workflows, at least once: an event leaves `pending`
 * only when its workflow took the signal (or it provably has no workflow to go to); every
 * failure is retried with capped exponential backoff, never dropped.
 */
export function createWebhookRelay(opts: WebhookRelayOptions): WebhookRelay {
  const { db, subscriptions, logger } = opts;
  const metrics = opts.metrics ?? noRelayMetrics;
  const pollIntervalMs = opts.pollIntervalMs ?? 1_000;
  const settleMs = opts.settleMs ?? 0;
  const batchSize = opts.batchSize ?? 100;
  const eventsPerSignal = opts.eventsPerSignal ?? 20;
  const backoff = opts.backoff ?? { baseMs: 1_000, maxMs: 10 * 60_000 };
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 10_000;
  const { maxAttempts } = opts;
  // Twice the delivery timeout: every delivery of a batch is abandoned by then, and the events of a
  // relay that died mid-batch (a worker restarted) are due again within seconds, not a minute.
  const leaseSeconds = opts.leaseSeconds ?? Math.ceil((2 * deliveryTimeoutMs) / 1000);

  /**
   * How a run's events are left: as relayed or ignored with the reason, or, when the run failed, each
   * due again after a backoff or, at its last allowed attempt, dead-lettered.
   */
  function outcomesOf(run: readonly ClaimedEvent[], result: RunResult | undefined): RelayOutcome[] {
    if (result?.ok) {
      return run.map((row, i): RelayOutcome => {
        const r = result.results[i];
        if (r?.status === 'relayed') return { id: row.id, status: 'relayed', organizationId: r.organizationId };
        const reason = r?.reason ?? 'not delivered';
        logger.debug({ eventId: row.id, type: row.type, reason }, 'stripe event not relayed');
        return { id: row.id, status: 'ignored', reason, organizationId: r?.organizationId ?? null };
      });
    }
    const error = result?.error;
    const message = error instanceof Error ? error.message : String(error);
    return run.map((row): RelayOutcome => {
      if (row.relay_attempts + 1 >= maxAttempts) {
        logger.error(
          {
            eventId: row.id,
            type: row.type,
            organizationId: row.organization_id,
            attempts: row.relay_attempts + 1,
            err: message,
          },
          'stripe event relay failed too often; dead-lettered (redrive-events relays it again)',
        );
        return { id: row.id, status: 'dead_lettered', error: message };
      }
      const delayMs = retryDelayMs(row.relay_attempts, backoff);
      logger.warn(
        { eventId: row.id, type: row.type, attempt: row.relay_attempts + 1, retryInMs: delayMs, err: message },
        'stripe event relay failed; will retry',
      );
      return { id: row.id, status: 'retry', error: message, delayMs };
    });
  }

  async function relayBatch(): Promise<number> {
    const heads = await claimDueEvents(db, { limit: batchSize, leaseSeconds, settleMs });
    if (heads.length === 0) return 0;
    // At most one head per organization per claim, so organizations go out concurrently; each head
    // takes the organization's following pending events with it, in order, as one signal.
    const followers = await claimFollowers(db, heads, { perOrganization: eventsPerSignal, leaseSeconds });
    const following = new Map<string, ClaimedEvent[]>();
    for (const f of followers)
      if (f.organization_id !== null)
        following.set(f.organization_id, [...(following.get(f.organization_id) ?? []), f]);
    const runs = heads.map((head) => [
      head,
      ...((head.organization_id !== null && following.get(head.organization_id)) || []),
    ]);
    const rows = runs.flat();
    const results = await relayRuns({ db, subscriptions }, runs, (signal) =>
      subscriptions.withDeadline(Date.now() + deliveryTimeoutMs, signal),
    );
    const outcomes = runs.flatMap((run, i) => outcomesOf(run, results[i]));
    // One round trip for the whole batch. If it fails, the leases expire and the batch is
    // delivered again (at least once; workflows drop a signal whose event id they have seen).
    await recordOutcomes(db, outcomes);
    const now = Date.now();
    rows.forEach((row, i) => {
      const outcome = outcomes[i]?.status;
      if (outcome === 'relayed') metrics.lag((now - row.received_at.getTime()) / 1000);
      metrics.outcome(outcome === 'retry' || outcome === undefined ? 'retried' : outcome);
    });
    return rows.length;
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (let n = await relayBatch(); n > 0; n = await relayBatch()) total += n;
    return total;
  }

  // One batch per round; a batch that found events is followed at once, so the inbox drains without pauses.
  const loop = createPeriodic({
    name: 'webhook-relay',
    intervalMs: pollIntervalMs,
    round: async () => ({ moreDue: (await relayBatch()) > 0 }),
    onError: (err) => logger.error({ err }, 'webhook relay cannot read the inbox; retrying'),
  });

  return { ...loop, drain };
}
