import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import { applyMetadata, formExpand, formMetadata, listParams, parseParams, rangeFilter } from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { attachPaymentMethod } from './payment-methods';

// Stripe's address hash; an empty string unsets it (https://docs.stripe.com/api/customers/update#update_customer-address).
const addressParam = z.union([
  z.literal(''),
  z.strictObject({
    line1: z.string().optional(),
    line2: z.string().optional(),
    city: z.string().optional(),
    postal_code: z.string().optional(),
    state: z.string().optional(),
    country: z.string().optional(),
  }),
]);
const common = {
  address: addressParam.optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata: formMetadata.optional(),
  invoice_settings: z.strictObject({ default_payment_method: z.string().optional() }).optional(),
  expand: formExpand.optional(),
};
const createSchema = z.strictObject({
  ...common,
  payment_method: z.string().optional(),
  test_clock: z.string().optional(),
});
const updateSchema = z.strictObject(common);
const listSchema = z.strictObject({
  ...listParams,
  email: z.string().optional(),
  test_clock: z.string().optional(),
  created: rangeFilter.optional(),
});

function toAddress(a: z.infer<typeof addressParam> | undefined): Stripe.Address | null {
  if (a === undefined || a === '') return null;
  return {
    line1: a.line1 || null,
    line2: a.line2 || null,
    city: a.city || null,
    postal_code: a.postal_code || null,
    state: a.state || null,
    country: a.country || null,
  };
}

export function getCustomer(sim: Sim, id: string, param = 'customer'): Stripe.Customer {
  const customer = sim.state.customers[id];
  if (!customer) throw resourceMissing('customer', id, param);
  return customer;
}

function requireOwnPaymentMethod(sim: Sim, customerId: string, pmId: string, param: string): void {
  if (sim.state.paymentMethods[pmId]?.customer !== customerId) {
    throw invalidRequest(
      `No such PaymentMethod: '${pmId}'; it must be attached to customer ${customerId}.`,
      param,
      'resource_missing',
    );
  }
}

export function customerRoutes(router: Router, sim: Sim): void {
  router.post('/v1/customers', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (p.test_clock && !sim.state.testClocks[p.test_clock])
      throw resourceMissing('test clock', p.test_clock, 'test_clock');
    const created = sim.nowOn(p.test_clock);
    const customer: Stripe.Customer = {
      id: sim.id('cus'),
      object: 'customer',
      address: toAddress(p.address),
      balance: 0,
      created,
      currency: null,
      default_source: null,
      delinquent: false,
      description: p.description ?? null,
      discount: null,
      email: p.email ?? null,
      invoice_prefix: sim.id('x', 8).slice(2).toUpperCase(),
      next_invoice_sequence: 1,
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: applyMetadata({}, p.metadata),
      name: p.name ?? null,
      phone: p.phone ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: p.test_clock ?? null,
    };
    sim.state.customers[customer.id] = customer;
    sim.emit('customer.created', customer, created);
    // Stripe lets a test alias (`pm_card_visa`) be attached at creation and named as the default.
    const attached = p.payment_method
      ? attachPaymentMethod(sim, p.payment_method, customer.id, 'payment_method')
      : undefined;
    const requestedDefault = p.invoice_settings?.default_payment_method;
    if (requestedDefault) {
      const pmId = attached && requestedDefault === p.payment_method ? attached.id : requestedDefault;
      requireOwnPaymentMethod(sim, customer.id, pmId, 'invoice_settings[default_payment_method]');
      customer.invoice_settings.default_payment_method = pmId;
    }
    sim.store.changed();
    return customer;
  });

  router.get('/v1/customers/:id', ({ pathParams }) => {
    const customer = sim.state.customers[pathParams.id ?? ''];
    if (!customer) throw resourceMissing('customer', pathParams.id ?? '', 'id');
    return customer;
  });

  router.post('/v1/customers/:id', ({ pathParams, params }) => {
    const customer = getCustomer(sim, pathParams.id ?? '', 'id');
    const p = parseParams(updateSchema, params);
    const before = structuredClone(customer);
    if (p.address !== undefined) customer.address = toAddress(p.address);
    if (p.email !== undefined) customer.email = p.email || null;
    if (p.name !== undefined) customer.name = p.name || null;
    if (p.description !== undefined) customer.description = p.description || null;
    if (p.phone !== undefined) customer.phone = p.phone || null;
    customer.metadata = applyMetadata(customer.metadata, p.metadata);
    const pmId = p.invoice_settings?.default_payment_method;
    if (pmId !== undefined) {
      if (pmId !== '') requireOwnPaymentMethod(sim, customer.id, pmId, 'invoice_settings[default_payment_method]');
      customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pmId || null };
    }
    const prev = previousAttributes(before, customer);
    if (Object.keys(prev).length > 0) sim.emit('customer.updated', customer, sim.nowForCustomer(customer.id), prev);
    sim.store.changed();
    return customer;
  });

  router.delete('/v1/customers/:id', ({ pathParams }) => {
    const customer = getCustomer(sim, pathParams.id ?? '', 'id');
    deleteCustomer(sim, customer);
    return { id: customer.id, object: 'customer', deleted: true };
  });

  router.get('/v1/customers', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.customers).filter(
      (c) =>
        (p.email === undefined || c.email === p.email) &&
        (p.test_clock === undefined || c.test_clock === p.test_clock) &&
        inRange(c.created, p.created),
    );
    return paginate(items, '/v1/customers', p);
  });
}

/** Deleting a customer cancels its subscriptions at once, as Stripe does. */
export function deleteCustomer(sim: Sim, customer: Stripe.Customer): void {
  const now = sim.nowForCustomer(customer.id);
  for (const sub of Object.values(sim.state.subscriptions)) {
    if (sub.customer === customer.id && sub.status !== 'canceled' && sub.status !== 'incomplete_expired') {
      sub.status = 'canceled';
      sub.canceled_at = now;
      sub.ended_at = now;
      sim.emit('customer.subscription.deleted', sub, now);
    }
  }
  delete sim.state.customers[customer.id];
  sim.emit('customer.deleted', customer, now);
  sim.store.changed();
}
