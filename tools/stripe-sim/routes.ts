import { Router } from './http/router';
import type { Sim } from './sim';
import { customerRoutes } from './resources/customers';
import { eventRoutes } from './resources/events';
import { paymentMethodRoutes } from './resources/payment-methods';
import { priceRoutes } from './resources/prices';
import { productRoutes } from './resources/products';
import { webhookEndpointRoutes } from './resources/webhook-endpoints';

/** Every Stripe API route the simulator implements. */
export function buildRouter(sim: Sim, options: { webhookSecret?: string | undefined }): Router {
  const router = new Router();
  customerRoutes(router, sim);
  paymentMethodRoutes(router, sim);
  productRoutes(router, sim);
  priceRoutes(router, sim);
  eventRoutes(router, sim);
  webhookEndpointRoutes(router, sim, options.webhookSecret);
  return router;
}
