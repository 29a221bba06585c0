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

const Reference = z.union([z.string(), z.looseObject({ id: z.string() })]).transform((r) => (typeof r === 'string' ? r : r.id));
const Metadata = z.looseObject({ organization_id: z.string().min(1).optional() });
const Linkable = z.looseObject({
  customer: Reference.nullish().catch(null),
  metadata: Metadata.nullish().catch(null),
  parent: z.looseObject({ subscription_details: z.looseObject({ metadata: Metadata.nullish() }).nullish() }).nullish().catch(null),
});

/** The Stripe customer an event concerns, if any (a detached payment method names it only in previous_attributes). */
export function customerIdOf(event: InboundEvent): string | null {
  const object = event.data.object;
  if (object.id?.startsWith('cus_')) return object.id;
  const linked = Linkable.safeParse(object);
  if (linked.success && linked.data.customer) return linked.data.customer;
  const previous = Reference.safeParse(event.data.previous_attributes?.customer);
  return previous.success ? previous.data : null;
}

/** The organization recorded in Stripe metadata by the API (customers, subscriptions, and invoices through their subscription). */
export function organizationFromMetadata(event: InboundEvent): string | null {
  const linked = Linkable.safeParse(event.data.object);
  if (!linked.success) return null;
  return linked.data.metadata?.organization_id ?? linked.data.parent?.subscription_details?.metadata?.organization_id ?? null;
}
