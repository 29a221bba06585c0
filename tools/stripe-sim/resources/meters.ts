import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { formExpand, formInt, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';

const createSchema = z.strictObject({
  display_name: z.string().min(1),
  event_name: z.string().min(1),
  default_aggregation: z.strictObject({ formula: z.enum(['count', 'last', 'sum']) }),
  customer_mapping: z.strictObject({ event_payload_key: z.string(), type: z.literal('by_id') }).optional(),
  value_settings: z.strictObject({ event_payload_key: z.string() }).optional(),
  event_time_window: z.enum(['day', 'hour']).optional(),
  expand: formExpand.optional(),
});
const eventSchema = z.strictObject({
  event_name: z.string().min(1),
  payload: z.record(z.string(), z.string()),
  identifier: z.string().max(100).optional(),
  timestamp: formInt.optional(),
  expand: formExpand.optional(),
});
/** Stripe accepts meter events up to 35 days old and 5 minutes into the future. */
const MAX_AGE_SECONDS = 35 * 86_400;
const MAX_FUTURE_SECONDS = 5 * 60;

export function meterRoutes(router: Router, sim: Sim): void {
  router.post('/v1/billing/meters', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (Object.values(sim.state.meters).some((m) => m.event_name === p.event_name && m.status === 'active')) {
      throw invalidRequest(`An active meter with event_name ${p.event_name} already exists.`, 'event_name');
    }
    const now = sim.realNow();
    const meter: Stripe.Billing.Meter = {
      id: sim.id('mtr'),
      object: 'billing.meter',
      created: now,
      customer_mapping: p.customer_mapping ?? { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      default_aggregation: p.default_aggregation,
      display_name: p.display_name,
      event_name: p.event_name,
      event_time_window: p.event_time_window ?? null,
      livemode: false,
      status: 'active',
      status_transitions: { deactivated_at: null },
      updated: now,
      value_settings: p.value_settings ?? { event_payload_key: 'value' },
    };
    sim.state.meters[meter.id] = meter;
    sim.store.changed();
    return meter;
  });

  router.get('/v1/billing/meters/:id', ({ pathParams }) => {
    const meter = sim.state.meters[pathParams.id ?? ''];
    if (!meter) throw resourceMissing('billing meter', pathParams.id ?? '');
    return meter;
  });

  router.get('/v1/billing/meters', ({ params }) => {
    const p = parseParams(z.strictObject({ ...listParams, status: z.enum(['active', 'inactive']).optional() }), params);
    return paginate(
      newestFirst(sim.state.meters).filter((m) => p.status === undefined || m.status === p.status),
      '/v1/billing/meters',
      p,
    );
  });

  // Aggregated usage of one customer on a meter over [start_time, end_time) (one summary, no grouping window).
  router.get('/v1/billing/meters/:id/event_summaries', ({ pathParams, params }) => {
    const meter = sim.state.meters[pathParams.id ?? ''];
    if (!meter) throw resourceMissing('billing meter', pathParams.id ?? '');
    const p = parseParams(
      z.strictObject({
        ...listParams,
        customer: z.string().min(1),
        start_time: formInt,
        end_time: formInt,
        value_grouping_window: z.enum(['day', 'hour']).optional(),
      }),
      params,
    );
    if (p.value_grouping_window)
      throw invalidRequest(
        'The simulator summarizes the whole range; value_grouping_window is not implemented.',
        'value_grouping_window',
      );
    if (p.end_time <= p.start_time) throw invalidRequest('end_time must be after start_time.', 'end_time');
    const usage = Object.values(sim.state.meterUsage).filter(
      (u) =>
        u.meter === meter.id && u.customer === p.customer && u.timestamp >= p.start_time && u.timestamp < p.end_time,
    );
    const aggregated =
      meter.default_aggregation.formula === 'count'
        ? usage.length
        : meter.default_aggregation.formula === 'last'
          ? (usage.sort((a, b) => a.timestamp - b.timestamp).at(-1)?.value ?? 0)
          : usage.reduce((sum, u) => sum + u.value, 0);
    const summary: Stripe.Billing.MeterEventSummary = {
      id: `mtrusg_${meter.id}_${p.customer}_${p.start_time}`,
      object: 'billing.meter_event_summary',
      aggregated_value: aggregated,
      start_time: p.start_time,
      end_time: p.end_time,
      livemode: false,
      meter: meter.id,
    };
    return paginate([summary], `/v1/billing/meters/${meter.id}/event_summaries`, p);
  });

  router.post('/v1/billing/meter_events', ({ params }) => {
    const p = parseParams(eventSchema, params);
    const meter = Object.values(sim.state.meters).find((m) => m.event_name === p.event_name && m.status === 'active');
    if (!meter) throw invalidRequest(`No active meter found for event_name ${p.event_name}.`, 'event_name');
    const customer = p.payload[meter.customer_mapping.event_payload_key];
    if (!customer || !sim.state.customers[customer])
      throw invalidRequest(
        `No customer found for payload[${meter.customer_mapping.event_payload_key}].`,
        `payload[${meter.customer_mapping.event_payload_key}]`,
      );
    const rawValue =
      p.payload[meter.value_settings.event_payload_key] ??
      (meter.default_aggregation.formula === 'count' ? '1' : undefined);
    const value = Number(rawValue);
    if (rawValue === undefined || !Number.isFinite(value))
      throw invalidRequest(
        `payload[${meter.value_settings.event_payload_key}] must be a number.`,
        `payload[${meter.value_settings.event_payload_key}]`,
      );
    const now = sim.nowForCustomer(customer);
    const timestamp = p.timestamp ?? now;
    if (timestamp < now - MAX_AGE_SECONDS || timestamp > now + MAX_FUTURE_SECONDS)
      throw invalidRequest(
        'Meter event timestamp must be within the past 35 days and no more than 5 minutes in the future.',
        'timestamp',
      );
    const identifier = p.identifier ?? sim.id('mev');
    // Stripe deduplicates meter events by identifier: a repeat is accepted but not counted twice.
    if (!sim.state.meterUsage[identifier]) {
      sim.state.meterUsage[identifier] = { identifier, meter: meter.id, customer, value, timestamp };
      sim.store.changed();
    }
    const event: Stripe.Billing.MeterEvent = {
      object: 'billing.meter_event',
      created: now,
      event_name: p.event_name,
      identifier,
      livemode: false,
      payload: p.payload,
      timestamp,
    };
    return event;
  });
}
