import { z } from 'zod';

/**
 * The part of a Stripe event envelope the inbox relies on. The signature already proved Stripe
 * sent it; this proves it has the shape we index by, whatever `data.object` turns out to be.
 */
const StripeObject = z.looseObject({ id: z.string().min(1).optional() });

export const InboundEventSchema = z.object({
  id: z.string().regex(/^evt_\w+$/, 'must be a Stripe event id (evt_…)'),
  object: z.literal('event'),
  type: z.string().min(1).max(200),
  created: z.number().int().positive(),
  livemode: z.boolean(),
  api_version: z.string().nullable().optional(),
  data: z.object({ object: StripeObject, previous_attributes: z.record(z.string(), z.unknown()).optional() }),
});

export type InboundEvent = z.infer<typeof InboundEventSchema>;

// Hot path (every delivery): plain type guards rather than schema parses of the whole object.
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const EVENT_ID = /^evt_\w+$/;

/** InboundEventSchema's checks as plain guards, without copying the (often several-KB) object the way a schema parse does. */
function isInboundEvent(v: unknown): v is InboundEvent {
  if (!isRecord(v)) return false;
  const { id, object, type, created, livemode, api_version: version, data } = v;
  return (
    typeof id === 'string' &&
    EVENT_ID.test(id) &&
    object === 'event' &&
    typeof type === 'string' &&
    type.length >= 1 &&
    type.length <= 200 &&
    typeof created === 'number' &&
    Number.isInteger(created) &&
    created > 0 &&
    typeof livemode === 'boolean' &&
    (version === undefined || version === null || typeof version === 'string') &&
    isRecord(data) &&
    isRecord(data.object) &&
    (data.object.id === undefined || (typeof data.object.id === 'string' && data.object.id !== '')) &&
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
const idOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : isRecord(v) && typeof v.id === 'string' ? v.id : null;
const organizationIn = (metadata: unknown): string | null =>
  isRecord(metadata) && typeof metadata.organization_id === 'string' && metadata.organization_id !== ''
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
