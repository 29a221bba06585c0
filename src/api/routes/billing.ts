import type { Endpoint } from '../endpoint';
import { getBillingProfile, putBillingProfile } from './billing-profile/billing-profile';
import { listInvoicesEndpoint } from './invoices/list-invoices';
import { upcomingInvoiceEndpoint } from './invoices/upcoming-invoice';
import { createSetupIntent } from './payment-methods/create-setup-intent';
import { listPaymentMethodsEndpoint } from './payment-methods/list-payment-methods';
import { updatePaymentMethod } from './payment-methods/update-payment-method';
import { listPlans } from './plans/list-plans';
import { removeAddOn, setAddOn } from './subscription/add-ons';
import { cancelSubscription } from './subscription/cancel-subscription';
import { changePlan } from './subscription/change-plan';
import { createSubscription } from './subscription/create-subscription';
import { getSubscription } from './subscription/get-subscription';
import { applyDiscount, removeDiscount } from './subscription/discount';
import { pauseSubscription, resumePausedSubscription } from './subscription/pause';
import { previewChange } from './subscription/preview-change';
import { resumeSubscription } from './subscription/resume-subscription';

/** The customer-facing endpoints under /api/v1/billing, one file per endpoint. */
export const billingEndpoints: Endpoint[] = [
  listPlans,
  getSubscription,
  createSubscription,
  changePlan,
  previewChange,
  cancelSubscription,
  resumeSubscription,
  pauseSubscription,
  resumePausedSubscription,
  applyDiscount,
  removeDiscount,
  setAddOn,
  removeAddOn,
  listInvoicesEndpoint,
  upcomingInvoiceEndpoint,
  listPaymentMethodsEndpoint,
  createSetupIntent,
  updatePaymentMethod,
  getBillingProfile,
  putBillingProfile,
];
