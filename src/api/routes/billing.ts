import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { listInvoicesRoute } from './invoices/list-invoices';
import { listPaymentMethodsRoute } from './payment-methods/list-payment-methods';
import { listPlans } from './plans/list-plans';
import { getSubscription } from './subscription/get-subscription';

/** The customer-facing routes under /api/v1/billing, one file per route, grouped per resource. */
export const billingRoutes = new OpenAPIHono<AppEnv>()
  .route('/', listPlans)
  .route('/', getSubscription)
  .route('/', listInvoicesRoute)
  .route('/', listPaymentMethodsRoute);
