import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { formExpand, formInt, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';
import type { TimeKeeper } from '../clock';
import { deleteCustomer } from './customers';

const createSchema = z.strictObject({
  frozen_time: formInt,
  name: z.string().optional(),
  expand: formExpand.optional(),
});
const advanceSchema = z.strictObject({ frozen_time: formInt, expand: formExpand.optional() });
const THIRTY_DAYS = 30 * 86_400;

export function testClockRoutes(router: Router, sim: Sim, time: TimeKeeper): void {
  const base = '/v1/test_helpers/test_clocks';
  const get = (id: string): Stripe.TestHelpers.TestClock => {
    const clock = sim.state.testClocks[id];
    if (!clock) throw resourceMissing('test_clock', id, 'test_clock');
    return clock;
  };

  router.post(base, ({ params }) => {
    const p = parseParams(createSchema, params);
    const clock: Stripe.TestHelpers.TestClock = {
      id: sim.id('clock'),
      object: 'test_helpers.test_clock',
      created: sim.realNow(),
      deletes_after: sim.realNow() + THIRTY_DAYS,
      frozen_time: p.frozen_time,
      livemode: false,
      name: p.name ?? null,
      status: 'ready',
      status_details: {},
    };
    sim.state.testClocks[clock.id] = clock;
    sim.emit('test_helpers.test_clock.created', clock, clock.created);
    sim.store.changed();
    return clock;
  });

  router.get(`${base}/:id`, ({ pathParams }) => get(pathParams.id ?? ''));

  router.get(base, ({ params }) =>
    paginate(newestFirst(sim.state.testClocks), base, parseParams(z.strictObject(listParams), params)),
  );

  router.post(`${base}/:id/advance`, ({ pathParams, params }) => {
    const clock = get(pathParams.id ?? '');
    const p = parseParams(advanceSchema, params);
    if (clock.status === 'advancing')
      throw invalidRequest(
        'This test clock is currently advancing. Wait until it is ready before advancing it again.',
        undefined,
        'test_clock_advancing',
      );
    if (p.frozen_time <= clock.frozen_time)
      throw invalidRequest('The frozen_time must be after the current frozen_time of the test clock.', 'frozen_time');
    clock.status = 'advancing';
    clock.status_details = { advancing: { target_frozen_time: p.frozen_time } };
    sim.emit('test_helpers.test_clock.advancing', clock, clock.frozen_time);
    time.advanceClock(clock.id, p.frozen_time);
    sim.store.changed();
    return clock;
  });

  router.delete(`${base}/:id`, ({ pathParams }) => {
    const clock = get(pathParams.id ?? '');
    for (const customer of Object.values(sim.state.customers)) {
      if (customer.test_clock === clock.id) deleteCustomer(sim, customer);
    }
    delete sim.state.testClocks[clock.id];
    sim.emit('test_helpers.test_clock.deleted', clock, clock.frozen_time);
    sim.store.changed();
    return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
  });
}
