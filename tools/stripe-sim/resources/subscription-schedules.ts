import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { formBool, formExpand, formInt, formMetadata, applyMetadata, parseParams } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { releaseSchedule, scheduleFromSubscription, updatePhases } from '../billing/schedules';
import { customerIdOf } from '../billing/subscription-object';

const prorationBehavior = z.enum(['always_invoice', 'create_prorations', 'none']);
const phase = z.strictObject({
  items: z
    .array(z.strictObject({ price: z.string(), quantity: formInt.optional(), metadata: formMetadata.optional() }))
    .min(1),
  start_date: z.union([z.literal('now'), formInt]).optional(),
  end_date: z.union([z.literal('now'), formInt]).optional(),
  duration: z
    .strictObject({ interval: z.enum(['day', 'week', 'month', 'year']), interval_count: formInt.optional() })
    .optional(),
  proration_behavior: prorationBehavior.optional(),
  metadata: formMetadata.optional(),
  automatic_tax: z.strictObject({ enabled: formBool }).optional(),
});
const createSchema = z.strictObject({
  from_subscription: z.string().optional(),
  customer: z.string().optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const updateSchema = z.strictObject({
  phases: z.array(phase).optional(),
  end_behavior: z.enum(['release', 'cancel']).optional(),
  proration_behavior: prorationBehavior.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const releaseSchema = z.strictObject({
  preserve_cancel_date: z.enum(['true', 'false']).optional(),
  expand: formExpand.optional(),
});

export function subscriptionScheduleRoutes(router: Router, sim: Sim): void {
  const get = (id: string) => {
    const schedule = sim.state.subscriptionSchedules[id];
    if (!schedule) throw resourceMissing('subscription_schedule', id);
    return schedule;
  };
  const subscriptionOf = (id: string | null) => {
    const sub = id ? sim.state.subscriptions[id] : undefined;
    if (!sub) throw invalidRequest('The schedule manages no subscription.');
    return sub;
  };

  router.post('/v1/subscription_schedules', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (!p.from_subscription)
      throw invalidRequest('The simulator creates schedules from_subscription only.', 'from_subscription');
    const sub = sim.state.subscriptions[p.from_subscription];
    if (!sub) throw resourceMissing('subscription', p.from_subscription, 'from_subscription');
    const schedule = scheduleFromSubscription(sim, sub, sim.nowForCustomer(customerIdOf(sub)));
    if (p.metadata !== undefined) schedule.metadata = applyMetadata({}, p.metadata);
    return schedule;
  });

  router.get('/v1/subscription_schedules/:id', ({ pathParams }) => get(pathParams.id ?? ''));

  router.post('/v1/subscription_schedules/:id', ({ pathParams, params }) => {
    const schedule = get(pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    const sub = subscriptionOf(typeof schedule.subscription === 'string' ? schedule.subscription : null);
    const at = sim.nowForCustomer(customerIdOf(sub));
    if (p.metadata !== undefined) schedule.metadata = applyMetadata(schedule.metadata ?? {}, p.metadata);
    if (p.phases) {
      updatePhases(
        sim,
        schedule,
        sub,
        p.phases.map((ph) => ({
          items: ph.items,
          startDate: ph.start_date === 'now' ? at : ph.start_date,
          endDate: ph.end_date === 'now' ? at : ph.end_date,
          duration: ph.duration && { interval: ph.duration.interval, intervalCount: ph.duration.interval_count ?? 1 },
          prorationBehavior: ph.proration_behavior ?? p.proration_behavior,
          metadata: ph.metadata === undefined ? undefined : applyMetadata({}, ph.metadata),
          automaticTax: ph.automatic_tax?.enabled,
        })),
        p.end_behavior,
        at,
      );
    } else if (p.end_behavior) schedule.end_behavior = p.end_behavior;
    sim.store.changed();
    return schedule;
  });

  router.post('/v1/subscription_schedules/:id/release', ({ pathParams, params }) => {
    const schedule = get(pathParams.id ?? '');
    parseParams(releaseSchema, params);
    const subId = typeof schedule.subscription === 'string' ? schedule.subscription : null;
    const at =
      subId && sim.state.subscriptions[subId]
        ? sim.nowForCustomer(customerIdOf(sim.state.subscriptions[subId]))
        : sim.realNow();
    releaseSchedule(sim, schedule, at);
    return schedule;
  });
}
