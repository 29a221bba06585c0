import { Router } from './http/router';
import type { Sim } from './sim';
import type { TimeKeeper } from './clock';
import { couponRoutes } from './resources/coupons';
import { customerRoutes } from './resources/customers';
import { promotionCodeRoutes } from './resources/promotion-codes';
import { invoiceRoutes } from './resources/invoices';
import { meterRoutes } from './resources/meters';
import { subscriptionRoutes } from './resources/subscriptions';
import { subscriptionScheduleRoutes } from './resources/subscription-schedules';
import { testClockRoutes } from './resources/test-clocks';
import { eventRoutes } from './resources/events';
import { paymentIntentRoutes } from './resources/payment-intents';
import { paymentMethodRoutes } from './resources/payment-methods';
import { setupIntentRoutes } from './resources/setup-intents';
import { taxIdRoutes } from './resources/tax-ids';
import { creditNoteRoutes } from './resources/credit-notes';
import { priceRoutes } from './resources/prices';
import { productRoutes } from './resources/products';
import { webhookEndpointRoutes } from './resources/webhook-endpoints';

/** Every Stripe API route the simulator implements. */
export function buildRouter(sim: Sim, time: TimeKeeper, options: { webhookSecret?: string | undefined }): Router {
  const router = new Router();
  customerRoutes(router, sim);
  taxIdRoutes(router, sim);
  creditNoteRoutes(router, sim);
  paymentMethodRoutes(router, sim);
  paymentIntentRoutes(router, sim);
  setupIntentRoutes(router, sim);
  productRoutes(router, sim);
  priceRoutes(router, sim);
  couponRoutes(router, sim);
  promotionCodeRoutes(router, sim);
  subscriptionRoutes(router, sim);
  subscriptionScheduleRoutes(router, sim);
  invoiceRoutes(router, sim);
  testClockRoutes(router, sim, time);
  meterRoutes(router, sim);
  eventRoutes(router, sim);
  webhookEndpointRoutes(router, sim, options.webhookSecret);
  return router;
}
