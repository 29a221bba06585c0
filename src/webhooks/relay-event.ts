import type { Db } from '../db/database';
import { isRelayedEventType, startsTracking } from './handled-events';
import { mirrorEvents } from './mirror';
import { resolveOrganization } from './organization';
import type { ClaimedEvent } from './store';
import { parseInboundEvent, type InboundEvent } from './stripe-event';
import type { DeliveryResult, SubscriptionClient } from '../subscriptions/client';
import type { StripeEventSignal } from '../workflows/messages';

export interface RelayEventDeps {
  db: Db;
  subscriptions: SubscriptionClient;
}

export type RelayResult =
  { status: 'relayed'; organizationId: string } | { status: 'ignored'; reason: string; organizationId: string | null };

/** How one run fared: a result per event, or the transient trouble (Postgres, Temporal) the whole run is retried for. */
export type RunResult = { ok: true; results: RelayResult[] } | { ok: false; error: unknown };

/** An event whose organization is known: mirrored, then signalled when a workflow consumes it. */
type Placed = { event: InboundEvent; organizationId: string; signal?: StripeEventSignal; settled?: RelayResult };
type Prepared = { kind: 'settled'; result: RelayResult } | ({ kind: 'placed' } & Placed);

/** Finds the event's organization and says whether a workflow should hear of it. */
async function prepare(deps: RelayEventDeps, row: ClaimedEvent): Promise<Prepared> {
  const parsed = parseInboundEvent(row.payload);
  if (!parsed.success)
    return {
      kind: 'settled',
      result: {
        status: 'ignored',
        reason: 'stored payload is not a Stripe event',
        organizationId: row.organization_id,
      },
    };
  const event = parsed.data;
  const organizationId = row.organization_id ?? (await resolveOrganization(deps.db, event));
  if (!organizationId)
    return {
      kind: 'settled',
      result: { status: 'ignored', reason: 'no organization in metadata or billing customers', organizationId: null },
    };
  if (!isRelayedEventType(event.type))
    return {
      kind: 'placed',
      event,
      organizationId,
      settled: { status: 'ignored', reason: 'type not consumed by workflows', organizationId },
    };
  const objectId = event.data.object.id;
  if (!objectId)
    return {
      kind: 'placed',
      event,
      organizationId,
      settled: { status: 'ignored', reason: 'event names no object', organizationId },
    };
  return {
    kind: 'placed',
    event,
    organizationId,
    signal: { eventId: event.id, type: event.type, objectId, created: event.created },
  };
}

async function prepareRun(deps: RelayEventDeps, run: readonly ClaimedEvent[]): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const row of run) prepared.push(await prepare(deps, row));
  return prepared;
}

const placed = (run: readonly Prepared[]) => run.flatMap((p) => (p.kind === 'placed' ? [p] : []));

/** One signal per organization with its events in order (a run claimed together is one organization's; resolving may differ only for lone rows). */
async function signalRun(deps: RelayEventDeps, run: readonly Prepared[]): Promise<RelayResult[]> {
  const signals = new Map<string, StripeEventSignal[]>();
  for (const p of placed(run))
    if (p.signal) signals.set(p.organizationId, [...(signals.get(p.organizationId) ?? []), p.signal]);
  const delivered = new Map<string, DeliveryResult>();
  for (const [organizationId, batch] of signals) {
    const creation = batch.find((s) => startsTracking(s.type));
    delivered.set(
      organizationId,
      await deps.subscriptions.signalEvents(
        organizationId,
        batch,
        creation && { stripeSubscriptionId: creation.objectId },
      ),
    );
  }
  return run.map((p): RelayResult => {
    if (p.kind === 'settled') return p.result;
    if (p.settled) return p.settled;
    return delivered.get(p.organizationId) === 'no_live_workflow'
      ? { status: 'ignored', reason: 'no live workflow for the organization', organizationId: p.organizationId }
      : { status: 'relayed', organizationId: p.organizationId };
  });
}

const attempt = async <T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
};

/**
 * Relays a claimed batch: runs of stored events, each one organization's in Stripe's `created`
 * order (or a single event). Every event is mirrored into the read model (the whole batch in a few
 * statements; if those fail, run by run, so one bad run cannot hold back the others), then each
 * run's events that a workflow consumes go to it together in one signal (a renewal's four or five
 * events cost one signal, one workflow task and one re-fetch); `deliver` wraps each run's Temporal
 * calls (a deadline). A `customer.subscription.created` among them starts a workflow that adopts
 * the subscription when none is running. A run fails only as a whole, for transient trouble, and
 * is retried as a whole; the mirror is guarded by `created`, so redoing it is harmless.
 */
export async function relayRuns(
  deps: RelayEventDeps,
  runs: readonly (readonly ClaimedEvent[])[],
  deliver: (signal: () => Promise<RelayResult[]>) => Promise<RelayResult[]> = (signal) => signal(),
): Promise<RunResult[]> {
  const prepared = await Promise.all(runs.map((run) => attempt(() => prepareRun(deps, run))));
  const mirrored = await attempt(() =>
    mirrorEvents(
      deps.db,
      prepared.flatMap((p) => (p.ok ? placed(p.value) : [])),
    ),
  );
  const mirrorAlone = async (run: Prepared[]) => {
    await mirrorEvents(deps.db, placed(run));
    return run;
  };
  const ready = mirrored.ok
    ? prepared
    : await Promise.all(prepared.map((p) => (p.ok ? attempt(() => mirrorAlone(p.value)) : p)));
  return Promise.all(
    ready.map(async (p): Promise<RunResult> => {
      if (!p.ok) return p;
      const signalled = await attempt(() => deliver(() => signalRun(deps, p.value)));
      return signalled.ok ? { ok: true, results: signalled.value } : signalled;
    }),
  );
}
