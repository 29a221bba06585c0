import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { listInvoicesRoute } from './invoices/list-invoices';
import { listPaymentMethodsRoute } from './payment-methods/list-payment-methods';
import { listPlans } from './plans/list-plans';
import { updatePaymentMethod } from './payment-methods/update-payment-method';
import { cancelSubscription } from './subscription/cancel-subscription';
import { changePlan } from './subscription/change-plan';
import { createSubscription } from './subscription/create-subscription';
import { getSubscription } from './subscription/get-subscription';
import { previewChange } from './subscription/preview-change';
import { resumeSubscription } from './subscription/resume-subscription';

/** The customer-facing routes under /api/v1/billing, one file per route, grouped per resource. */
export const billingRoutes = new OpenAPIHono<AppEnv>()
  .route('/', listPlans)
  .route('/', getSubscription)
  .route('/', createSubscription)
  .route('/', changePlan)
  .route('/', previewChange)
  .route('/', cancelSubscription)
  .route('/', resumeSubscription)
  .route('/', listInvoicesRoute)
  .route('/', listPaymentMethodsRoute)
  .route('/', updatePaymentMethod);
