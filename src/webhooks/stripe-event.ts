import { z } from 'zod';
import { ORGANIZATION_ID_PATTERN } from '../domain/organization-id';

/**
 * The part of a Stripe event envelope the inbox relies on. The signature already proved Stripe
 * sent it; this proves it has the shape we index by, whatever `data.object` turns out to be. Every
 * field stored in its own column is bounded to what Postgres stores and indexes: ids of at most 255
 * printable ASCII characters (Stripe's own limit for ids), no NUL, a `created` within timestamptz's
 * range (year 9999 at the latest), so a signed event is stored or refused with a 400, never a 500.
 */
const EVENT_ID = /^evt_\w{1,251}$/;
const STRIPE_ID = /^[\x21-\x7e]{1,255}$/;
const EVENT_TYPE = /^[\x21-\x7e]{1,200}$/;
const API_VERSION = /^[\x21-\x7e]{1,100}$/;
/** 9999-12-31T23:59:59Z in Unix seconds. */
export const MAX_EVENT_CREATED = 253_402_300_799;

const StripeObject = z.looseObject({
  id: z.string().regex(STRIPE_ID, 'must be 1-255 printable ASCII characters').optional(),
});

export const InboundEventSchema = z.object({
  id: z.string().regex(EVENT_ID, 'must be a Stripe event id (evt_…, at most 255 characters)'),
  object: z.literal('event'),
  type: z.string().regex(EVENT_TYPE, 'must be 1-200 printable ASCII characters'),
  created: z.number().int().positive().max(MAX_EVENT_CREATED),
  livemode: z.boolean(),
  api_version: z.string().regex(API_VERSION, 'must be 1-100 printable ASCII characters').nullable().optional(),
  data: z.object({ object: StripeObject, previous_attributes: z.record(z.string(), z.unknown()).optional() }),
});

export type InboundEvent = z.infer<typeof InboundEventSchema>;

// Hot path (every delivery): plain type guards rather than schema parses of the whole object.
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** InboundEventSchema's checks as plain guards, without copying the (often several-KB) object the way a schema parse does. */
function isInboundEvent(v: unknown): v is InboundEvent {
  if (!isRecord(v)) return false;
  const { id, object, type, created, livemode, api_version: version, data } = v;
  return (
    typeof id === 'string' &&
    EVENT_ID.test(id) &&
    object === 'event' &&
    typeof type === 'string' &&
    EVENT_TYPE.test(type) &&
    typeof created === 'number' &&
    Number.isInteger(created) &&
    created > 0 &&
    created <= MAX_EVENT_CREATED &&
    typeof livemode === 'boolean' &&
    (version === undefined || version === null || (typeof version === 'string' && API_VERSION.test(version))) &&
    isRecord(data) &&
    isRecord(data.object) &&
    (data.object.id === undefined || (typeof data.object.id === 'string' && STRIPE_ID.test(data.object.id))) &&
    (data.previous_attributes === undefined || isRecord(data.previous_attributes))
  );
}

/**
 * Checks an event envelope (each delivery at the endpoint, each stored event in the relay): the
 * guards above accept what the schema accepts, and anything they refuse goes through the schema,
 * so a refusal carries the schema's message. An accepted event is the value itself, unknown keys included.
 */
export function parseInboundEvent(
  value: unknown,
): { success: true; data: InboundEvent } | { success: false; error: z.ZodError } {
  if (isInboundEvent(value)) return { success: true, data: value };
  const parsed = InboundEventSchema.safeParse(value);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}
/** An expanded object or its id; anything that cannot be a Stripe id (too long, NUL, spaces) is no id. */
const idOf = (v: unknown): string | null => {
  const id = isRecord(v) ? v.id : v;
  return typeof id === 'string' && STRIPE_ID.test(id) ? id : null;
};
/** Metadata is free text anyone with the Stripe account may edit: only a well-formed organization id counts. */
const organizationIn = (metadata: unknown): string | null =>
  isRecord(metadata) &&
  typeof metadata.organization_id === 'string' &&
  ORGANIZATION_ID_PATTERN.test(metadata.organization_id)
    ? metadata.organization_id
    : null;

/** The Stripe customer an event concerns, if any (a detached payment method names it only in previous_attributes). */
export function customerIdOf(event: InboundEvent): string | null {
  const object = event.data.object;
  if (object.id?.startsWith('cus_')) return object.id;
  return idOf(object.customer) ?? idOf(event.data.previous_attributes?.customer);
}

/** The organization recorded in Stripe metadata by the API (customers, subscriptions, and invoices through their subscription). */
export function organizationFromMetadata(event: InboundEvent): string | null {
  const object = event.data.object;
  const parent = isRecord(object.parent) ? object.parent : undefined;
  const details = isRecord(parent?.subscription_details) ? parent.subscription_details : undefined;
  return organizationIn(object.metadata) ?? organizationIn(details?.metadata);
}
