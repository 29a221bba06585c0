import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { isRelayedEventType, startsTracking } from './handled-events';
import { mirrorEvent } from './mirror';
import { resolveOrganization } from './organization';
import type { ClaimedEvent } from './relay-queue';
import { InboundEventSchema } from './stripe-event';
import { signalOrAdopt, signalSubscription, type StripeEventSignal } from './workflow-target';

export interface RelayEventDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export type RelayResult = { status: 'relayed'; organizationId: string } | { status: 'ignored'; reason: string; organizationId: string | null };

/**
 * One stored event: find its organization, mirror it into the read model, then signal the
 * workflow. Throws only for transient trouble (Postgres, Temporal), which the caller retries;
 * the mirror is guarded by `created`, so redoing it on a retry is harmless.
 */
export async function relayEvent(deps: RelayEventDeps, row: ClaimedEvent): Promise<RelayResult> {
  const parsed = InboundEventSchema.safeParse(row.payload);
  if (!parsed.success) return { status: 'ignored', reason: 'stored payload is not a Stripe event', organizationId: row.organization_id };
  const event = parsed.data;
  const organizationId = row.organization_id ?? (await resolveOrganization(deps.db, event));
  if (!organizationId) return { status: 'ignored', reason: 'no organization in metadata or billing customers', organizationId: null };

  await mirrorEvent(deps.db, event, organizationId);
  if (!isRelayedEventType(event.type)) return { status: 'ignored', reason: 'type not consumed by workflows', organizationId };
  const objectId = event.data.object.id;
  if (!objectId) return { status: 'ignored', reason: 'event names no object', organizationId };

  const signal: StripeEventSignal = { eventId: event.id, type: event.type, objectId, created: event.created };
  const delivered = startsTracking(event.type)
    ? await signalOrAdopt(deps.temporal, deps.taskQueue, { organizationId, adopt: { stripeSubscriptionId: objectId } }, signal)
    : await signalSubscription(deps.temporal, organizationId, signal);
  if (delivered === 'no_live_workflow') return { status: 'ignored', reason: 'no live workflow for the organization', organizationId };
  return { status: 'relayed', organizationId };
}
