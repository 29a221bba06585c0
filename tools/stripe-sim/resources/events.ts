import { z } from 'zod';
import { resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import { formBool, listParams, parseParams, rangeFilter } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';

const listSchema = z.strictObject({
  ...listParams,
  type: z.string().optional(),
  types: z.array(z.string()).optional(),
  created: rangeFilter.optional(),
  delivery_success: formBool.optional(),
});

/** `type=invoice.*` style wildcards are part of Stripe's events filter. */
function typeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

export function eventRoutes(router: Router, sim: Sim): void {
  router.get('/v1/events/:id', ({ pathParams }) => {
    const event = sim.state.events[pathParams.id ?? ''];
    if (!event) throw resourceMissing('event', pathParams.id ?? '');
    return event;
  });

  router.get('/v1/events', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.events).filter(
      (e) =>
        (p.type === undefined || typeMatches(e.type, p.type)) &&
        (!p.types || p.types.some((t) => typeMatches(e.type, t))) &&
        inRange(e.created, p.created) &&
        (p.delivery_success === undefined || (e.pending_webhooks === 0) === p.delivery_success),
    );
    return paginate(items, '/v1/events', p);
  });
}
