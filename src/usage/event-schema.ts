import { z } from 'zod';
import { USAGE_METRICS, isGauge } from '../domain/usage';

/** Ids that producers choose (uuid, ulid, `svc:123`…): printable, bounded, case-sensitive. */
export const usageEventIdSchema = z.string().regex(/^[\w.:@/-]{1,128}$/, 'must be 1-128 characters of [A-Za-z0-9_.:@/-]');
export const organizationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_-]');

/** One usage event as other services send it; a timestamp with any UTC offset is normalized to UTC. */
export const usageEventSchema = z
  .strictObject({
    id: usageEventIdSchema,
    organizationId: organizationIdSchema,
    metric: z.enum(USAGE_METRICS),
    quantity: z.number().int().min(0).max(1_000_000_000),
    timestamp: z.iso.datetime({ offset: true }),
  })
  .refine((e) => isGauge(e.metric) || e.quantity > 0, { message: 'counter events need a positive quantity', path: ['quantity'] });

export type UsageEventInput = z.infer<typeof usageEventSchema>;

/** A validated event with its time as epoch ms. */
export interface UsageEvent {
  id: string;
  organizationId: string;
  metric: UsageEventInput['metric'];
  quantity: number;
  occurredAt: number;
}

export function toUsageEvent(input: UsageEventInput): UsageEvent {
  return { id: input.id, organizationId: input.organizationId, metric: input.metric, quantity: input.quantity, occurredAt: Date.parse(input.timestamp) };
}
