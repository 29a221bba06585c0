import { z } from 'zod';
import { ORGANIZATION_ID_PATTERN as ORGANIZATION_PATTERN } from '../domain/organization-id';
import { USAGE_METRICS, isGauge } from '../domain/usage';

const ID_PATTERN = /^[\w.:@/-]{1,128}$/;

/** Ids that producers choose (uuid, ulid, `svc:123`…): printable, bounded, case-sensitive. */
export const usageEventIdSchema = z.string().regex(ID_PATTERN, 'must be 1-128 characters of [A-Za-z0-9_.:@/-]');
export const organizationIdSchema = z.string().regex(ORGANIZATION_PATTERN, 'must be 1-64 characters of [A-Za-z0-9_-]');

const timestampSchema = z.iso.datetime({ offset: true });

/** One usage event as other services send it; a timestamp with any UTC offset is normalized to UTC. */
export const usageEventSchema = z
  .strictObject({
    id: usageEventIdSchema,
    organizationId: organizationIdSchema,
    metric: z.enum(USAGE_METRICS),
    quantity: z.number().int().min(0).max(1_000_000_000),
    timestamp: timestampSchema,
  })
  .refine((e) => isGauge(e.metric) || e.quantity > 0, {
    message: 'counter events need a positive quantity',
    path: ['quantity'],
  });

export type UsageEventInput = z.infer<typeof usageEventSchema>;

/** The schema's own ISO datetime pattern (zod's, with offsets), so both paths accept the same timestamps. */
const TIMESTAMP_PATTERN = (timestampSchema as unknown as { _zod: { pattern: RegExp } })._zod.pattern;
const METRICS: ReadonlySet<unknown> = new Set(USAGE_METRICS);
const KEYS: ReadonlySet<string> = new Set(['id', 'organizationId', 'metric', 'quantity', 'timestamp']);

/**
 * The common case without zod's per-item cost (ingestion validates tens of thousands of items a
 * second): true only for an item usageEventSchema accepts as it is. Anything else goes through the
 * schema, which then gives the same verdict and message as always.
 */
function isPlainValidEvent(item: unknown): item is UsageEventInput {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const keys = Object.keys(item);
  if (keys.length !== KEYS.size) return false;
  for (const key of keys) if (!KEYS.has(key)) return false;
  const e = item as Record<string, unknown>;
  const { id, organizationId, metric, quantity, timestamp } = e;
  return (
    typeof id === 'string' &&
    ID_PATTERN.test(id) &&
    typeof organizationId === 'string' &&
    ORGANIZATION_PATTERN.test(organizationId) &&
    METRICS.has(metric) &&
    typeof quantity === 'number' &&
    Number.isSafeInteger(quantity) &&
    quantity >= 0 &&
    quantity <= 1_000_000_000 &&
    (quantity > 0 || isGauge(metric as UsageEventInput['metric'])) &&
    typeof timestamp === 'string' &&
    TIMESTAMP_PATTERN.test(timestamp)
  );
}

/** usageEventSchema.safeParse with a fast path for valid items (same rules, same messages). */
export function parseUsageEvent(item: unknown): ReturnType<typeof usageEventSchema.safeParse> {
  if (isPlainValidEvent(item))
    return {
      success: true,
      data: {
        id: item.id,
        organizationId: item.organizationId,
        metric: item.metric,
        quantity: item.quantity,
        timestamp: item.timestamp,
      },
    };
  return usageEventSchema.safeParse(item);
}

/** A validated event with its time as epoch ms. */
export interface UsageEvent {
  id: string;
  organizationId: string;
  metric: UsageEventInput['metric'];
  quantity: number;
  occurredAt: number;
}

export function toUsageEvent(input: UsageEventInput): UsageEvent {
  return {
    id: input.id,
    organizationId: input.organizationId,
    metric: input.metric,
    quantity: input.quantity,
    occurredAt: Date.parse(input.timestamp),
  };
}
