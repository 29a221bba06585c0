import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { formExpand, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { getCustomer } from './customers';

/**
 * Customer tax IDs (https://docs.stripe.com/api/tax_ids): create, retrieve, list and delete under
 * /v1/customers/:id/tax_ids. Stripe checks the value's format per type and refuses a bad one with
 * `tax_id_invalid` (https://docs.stripe.com/error-codes#tax-id-invalid); the formats here are the examples of
 * https://docs.stripe.com/billing/customer/tax-ids for the types this service offers, and every other type
 * Stripe lists is accepted with any value. Stripe verifies some types asynchronously (eu_vat against VIES,
 * gb_vat against HMRC, au_abn against the ABR): those start `pending`, and the simulator leaves them there
 * (it has no registry to ask); other types have no verification (null).
 */
const FORMATS: Record<string, RegExp> = {
  eu_vat:
    /^(ATU\d{8}|BE[01]\d{9}|BG\d{9,10}|CY\d{8}[A-Z]|CZ\d{8,10}|DE\d{9}|DK\d{8}|EE\d{9}|EL\d{9}|ES[A-Z0-9]\d{7}[A-Z0-9]|FI\d{8}|FR[A-Z0-9]{2}\d{9}|HR\d{11}|HU\d{8}|IE\d[A-Z0-9+*]\d{5}[A-Z]{1,2}|IT\d{11}|LT(\d{9}|\d{12})|LU\d{8}|LV\d{11}|MT\d{8}|NL\d{9}B\d{2}|PL\d{10}|PT\d{9}|RO\d{2,10}|SE\d{12}|SI\d{8}|SK\d{10}|XI[A-Z0-9]{5,12})$/,
  gb_vat: /^GB(\d{9}|\d{12})$/,
  us_ein: /^\d{2}-\d{7}$/,
  ch_vat: /^CHE-\d{3}\.\d{3}\.\d{3} ?(MWST|TVA|IVA)$/,
  no_vat: /^\d{9}MVA$/,
  au_abn: /^\d{11}$/,
  ca_bn: /^\d{9}$/,
};
const VERIFIED_BY_STRIPE = new Set(['eu_vat', 'gb_vat', 'au_abn']);
const COUNTRY: Record<string, string> = {
  gb_vat: 'GB',
  us_ein: 'US',
  ch_vat: 'CH',
  no_vat: 'NO',
  au_abn: 'AU',
  ca_bn: 'CA',
};

const createSchema = z.strictObject({ type: z.string(), value: z.string(), expand: formExpand.optional() });
const listSchema = z.strictObject({ ...listParams });

export function taxIdRoutes(router: Router, sim: Sim): void {
  router.post('/v1/customers/:id/tax_ids', ({ pathParams, params }) => {
    const customer = getCustomer(sim, pathParams.id ?? '', 'id');
    const p = parseParams(createSchema, params);
    const value = p.value.replace(/\s+/g, p.type === 'ch_vat' ? ' ' : '').toUpperCase();
    const format = FORMATS[p.type];
    if (format && !format.test(value)) throw invalidRequest(`Invalid value for ${p.type}.`, 'value', 'tax_id_invalid');
    const taxId: Stripe.TaxId = {
      id: sim.id('txi'),
      object: 'tax_id',
      country: p.type === 'eu_vat' ? euCountry(value) : (COUNTRY[p.type] ?? null),
      created: sim.nowForCustomer(customer.id),
      customer: customer.id,
      customer_account: null,
      livemode: false,
      owner: { type: 'customer', customer: customer.id } as Stripe.TaxId.Owner,
      type: p.type as Stripe.TaxId.Type,
      value,
      verification: VERIFIED_BY_STRIPE.has(p.type)
        ? { status: 'pending', verified_address: null, verified_name: null }
        : null,
    };
    sim.state.taxIds[taxId.id] = taxId;
    sim.emit('customer.tax_id.created', taxId, taxId.created);
    sim.store.changed();
    return taxId;
  });

  router.get('/v1/customers/:id/tax_ids/:taxId', ({ pathParams }) => {
    getCustomer(sim, pathParams.id ?? '', 'id');
    return ownTaxId(sim, pathParams.id ?? '', pathParams.taxId ?? '');
  });

  router.get('/v1/customers/:id/tax_ids', ({ pathParams, params }) => {
    const customer = getCustomer(sim, pathParams.id ?? '', 'id');
    const p = parseParams(listSchema, params);
    const items = Object.values(sim.state.taxIds)
      .filter((t) => t.customer === customer.id)
      .reverse();
    return paginate(items, `/v1/customers/${customer.id}/tax_ids`, p);
  });

  router.delete('/v1/customers/:id/tax_ids/:taxId', ({ pathParams }) => {
    getCustomer(sim, pathParams.id ?? '', 'id');
    const taxId = ownTaxId(sim, pathParams.id ?? '', pathParams.taxId ?? '');
    delete sim.state.taxIds[taxId.id];
    sim.emit('customer.tax_id.deleted', taxId, sim.nowForCustomer(pathParams.id ?? ''));
    sim.store.changed();
    return { id: taxId.id, object: 'tax_id', deleted: true };
  });
}

function ownTaxId(sim: Sim, customerId: string, id: string): Stripe.TaxId {
  const taxId = sim.state.taxIds[id];
  if (!taxId || taxId.customer !== customerId) throw resourceMissing('tax_id', id, 'id');
  return taxId;
}

/** An EU VAT number's member state (Greece's prefix EL is ISO GR; XI is Northern Ireland, GB). */
function euCountry(value: string): string {
  const prefix = value.slice(0, 2);
  return prefix === 'EL' ? 'GR' : prefix === 'XI' ? 'GB' : prefix;
}
