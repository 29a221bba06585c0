import type Stripe from 'stripe';
import { z } from 'zod';
import { resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { applyMetadata, formBool, formExpand, formMetadata, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import { API_VERSION, type Sim } from '../sim';
import { newestFirst } from '../store';

const createSchema = z.strictObject({
  url: z.url(),
  enabled_events: z.array(z.string()).min(1),
  description: z.string().optional(),
  metadata: formMetadata.optional(),
  api_version: z.string().optional(),
  expand: formExpand.optional(),
});
const updateSchema = z.strictObject({
  url: z.url().optional(),
  enabled_events: z.array(z.string()).min(1).optional(),
  description: z.string().optional(),
  disabled: formBool.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});

/** Stripe shows an endpoint's secret only in the create response. */
function withoutSecret(endpoint: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, ...rest } = endpoint;
  return rest;
}

export function webhookEndpointRoutes(router: Router, sim: Sim, fixedSecret: string | undefined): void {
  const get = (id: string): Stripe.WebhookEndpoint => {
    const endpoint = sim.state.webhookEndpoints[id];
    if (!endpoint) throw resourceMissing('webhook endpoint', id);
    return endpoint;
  };

  router.post('/v1/webhook_endpoints', ({ params }) => {
    const p = parseParams(createSchema, params);
    const endpoint: Stripe.WebhookEndpoint = {
      id: sim.id('we'),
      object: 'webhook_endpoint',
      api_version: p.api_version ?? API_VERSION,
      application: null,
      created: sim.realNow(),
      description: p.description ?? null,
      enabled_events: p.enabled_events,
      livemode: false,
      metadata: applyMetadata({}, p.metadata),
      secret: fixedSecret ?? sim.id('whsec', 32),
      status: 'enabled',
      url: p.url,
    };
    sim.state.webhookEndpoints[endpoint.id] = endpoint;
    sim.store.changed();
    return endpoint;
  });

  router.get('/v1/webhook_endpoints/:id', ({ pathParams }) => withoutSecret(get(pathParams.id ?? '')));

  router.post('/v1/webhook_endpoints/:id', ({ pathParams, params }) => {
    const endpoint = get(pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    if (p.url !== undefined) endpoint.url = p.url;
    if (p.enabled_events !== undefined) endpoint.enabled_events = p.enabled_events;
    if (p.description !== undefined) endpoint.description = p.description || null;
    if (p.disabled !== undefined) endpoint.status = p.disabled ? 'disabled' : 'enabled';
    endpoint.metadata = applyMetadata(endpoint.metadata, p.metadata);
    sim.store.changed();
    return withoutSecret(endpoint);
  });

  router.delete('/v1/webhook_endpoints/:id', ({ pathParams }) => {
    const endpoint = get(pathParams.id ?? '');
    delete sim.state.webhookEndpoints[endpoint.id];
    sim.store.changed();
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });

  router.get('/v1/webhook_endpoints', ({ params }) => {
    const p = parseParams(z.strictObject(listParams), params);
    return paginate(newestFirst(sim.state.webhookEndpoints).map(withoutSecret), '/v1/webhook_endpoints', p);
  });
}
