import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { isRelayedEventType, startsTracking } from './handled-events';
import { mirrorEvent } from './mirror';
import { resolveOrganization } from './organization';
import type { ClaimedEvent } from './relay-queue';
import { parseInboundEvent } from './stripe-event';
import { signalEvents, type DeliveryResult, type StripeEventSignal } from './workflow-target';

export interface RelayEventDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export type RelayResult = { status: 'relayed'; organizationId: string } | { status: 'ignored'; reason: string; organizationId: string | null };

type Prepared = { kind: 'settled'; result: RelayResult } | { kind: 'signal'; organizationId: string; signal: StripeEventSignal };

/** Finds the event's organization and mirrors it into the read model; says whether a workflow should hear of it. */
async function prepare(deps: RelayEventDeps, row: ClaimedEvent): Promise<Prepared> {
  const parsed = parseInboundEvent(row.payload);
  if (!parsed.success) return { kind: 'settled', result: { status: 'ignored', reason: 'stored payload is not a Stripe event', organizationId: row.organization_id } };
  const event = parsed.data;
  const organizationId = row.organization_id ?? (await resolveOrganization(deps.db, event));
  if (!organizationId) return { kind: 'settled', result: { status: 'ignored', reason: 'no organization in metadata or billing customers', organizationId: null } };

  await mirrorEvent(deps.db, event, organizationId);
  if (!isRelayedEventType(event.type)) return { kind: 'settled', result: { status: 'ignored', reason: 'type not consumed by workflows', organizationId } };
  const objectId = event.data.object.id;
  if (!objectId) return { kind: 'settled', result: { status: 'ignored', reason: 'event names no object', organizationId } };
  return { kind: 'signal', organizationId, signal: { eventId: event.id, type: event.type, objectId, created: event.created } };
}

/**
 * A run of stored events of one organization, in Stripe's `created` order (or a single event):
 * each is mirrored into the read model in that order, then the ones a workflow consumes go to it
 * together in one signal (a renewal's four or five events cost one signal, one workflow task and
 * one re-fetch). A `customer.subscription.created` among them starts a workflow that adopts the
 * subscription when none is running. Throws only for transient trouble (Postgres, Temporal), which
 * the caller retries for the whole run; the mirror is guarded by `created`, so redoing it is harmless.
 */
export async function relayEvents(deps: RelayEventDeps, rows: readonly ClaimedEvent[]): Promise<RelayResult[]> {
  const prepared: Prepared[] = [];
  for (const row of rows) prepared.push(await prepare(deps, row));
  // One signal per organization (a run claimed together is one organization's; resolving may differ only for lone rows).
  const signals = new Map<string, StripeEventSignal[]>();
  for (const p of prepared) if (p.kind === 'signal') signals.set(p.organizationId, [...(signals.get(p.organizationId) ?? []), p.signal]);
  const delivered = new Map<string, DeliveryResult>();
  for (const [organizationId, batch] of signals) {
    const creation = batch.find((s) => startsTracking(s.type));
    delivered.set(organizationId, await signalEvents(deps.temporal, deps.taskQueue, organizationId, batch, creation && { stripeSubscriptionId: creation.objectId }));
  }
  return prepared.map((p): RelayResult => {
    if (p.kind === 'settled') return p.result;
    return delivered.get(p.organizationId) === 'no_live_workflow'
      ? { status: 'ignored', reason: 'no live workflow for the organization', organizationId: p.organizationId }
      : { status: 'relayed', organizationId: p.organizationId };
  });
}
