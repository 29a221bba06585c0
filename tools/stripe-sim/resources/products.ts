import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { applyMetadata, formBool, formExpand, formMetadata, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';

const fields = {
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  active: formBool.optional(),
  metadata: formMetadata.optional(),
  unit_label: z.string().optional(),
  expand: formExpand.optional(),
};
const createSchema = z.strictObject({ ...fields, name: z.string().min(1), id: z.string().optional() });
const updateSchema = z.strictObject(fields);
const listSchema = z.strictObject({ ...listParams, active: formBool.optional(), ids: z.array(z.string()).optional() });

export function createProduct(
  sim: Sim,
  p: {
    name: string;
    id?: string | undefined;
    description?: string | undefined;
    active?: boolean | undefined;
    metadata?: z.output<typeof formMetadata> | undefined;
    unit_label?: string | undefined;
  },
): Stripe.Product {
  const now = sim.realNow();
  const id = p.id ?? sim.id('prod', 14);
  if (sim.state.products[id]) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  const product: Stripe.Product = {
    id,
    object: 'product',
    active: p.active ?? true,
    created: now,
    default_price: null,
    description: p.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: applyMetadata({}, p.metadata),
    name: p.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: p.unit_label ?? null,
    updated: now,
    url: null,
  };
  sim.state.products[id] = product;
  sim.emit('product.created', product, now);
  sim.store.changed();
  return product;
}

export function productRoutes(router: Router, sim: Sim): void {
  router.post('/v1/products', ({ params }) => createProduct(sim, parseParams(createSchema, params)));

  router.get('/v1/products/:id', ({ pathParams }) => {
    const product = sim.state.products[pathParams.id ?? ''];
    if (!product) throw resourceMissing('product', pathParams.id ?? '');
    return product;
  });

  router.post('/v1/products/:id', ({ pathParams, params }) => {
    const product = sim.state.products[pathParams.id ?? ''];
    if (!product) throw resourceMissing('product', pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    const before = structuredClone(product);
    if (p.name !== undefined) product.name = p.name;
    if (p.description !== undefined) product.description = p.description || null;
    if (p.active !== undefined) product.active = p.active;
    if (p.unit_label !== undefined) product.unit_label = p.unit_label || null;
    product.metadata = applyMetadata(product.metadata, p.metadata);
    product.updated = sim.realNow();
    sim.emit('product.updated', product, product.updated, previousAttributes(before, product));
    sim.store.changed();
    return product;
  });

  router.get('/v1/products', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.products).filter(
      (prod) => (p.active === undefined || prod.active === p.active) && (!p.ids || p.ids.includes(prod.id)),
    );
    return paginate(items, '/v1/products', p);
  });
}
