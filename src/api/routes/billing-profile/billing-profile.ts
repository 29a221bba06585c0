import { z } from '@hono/zod-openapi';
import { findCustomer, profileOf } from '../../../db/read-models/customers';
import {
  MAX_TAX_IDS,
  PROFILE_LIMITS,
  TAX_ID_EXAMPLES,
  TAX_ID_TYPES,
  billingProfileError,
  isCountryCode,
  type BillingProfile,
} from '../../../domain/billing-profile';
import { billingProfileExample } from '../../examples';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { callWorkflow, ownSubscription } from '../subscription/workflow-call';

const Address = z
  .object({
    line1: z.string().trim().min(1).max(PROFILE_LIMITS.addressLine),
    line2: z.string().max(PROFILE_LIMITS.addressLine).nullable().optional(),
    city: z.string().trim().min(1).max(PROFILE_LIMITS.addressLine),
    postalCode: z.string().trim().min(1).max(PROFILE_LIMITS.addressLine),
    state: z.string().max(PROFILE_LIMITS.addressLine).nullable().optional(),
    country: z
      .string()
      .refine(isCountryCode, { message: 'an ISO 3166-1 alpha-2 country code in upper case (e.g. DE, US)' })
      .openapi({ example: 'DE' }),
  })
  .strict()
  .openapi('BillingAddress', {
    example: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
  });

const TaxIdInput = z
  .object({
    type: z.enum(TAX_ID_TYPES as [string, ...string[]]).openapi({
      description: `Stripe's tax ID type: ${TAX_ID_TYPES.map((t) => `${t} (${TAX_ID_EXAMPLES[t]})`).join(', ')}`,
    }),
    value: z.string().min(1).max(64),
  })
  .strict();

const ProfileInput = z
  .object({
    email: z.string().email().max(PROFILE_LIMITS.email).openapi({ description: 'Where every billing email goes' }),
    legalName: z.string().trim().min(1).max(PROFILE_LIMITS.legalName).nullable().default(null),
    address: Address.nullable().default(null),
    taxIds: z.array(TaxIdInput).max(MAX_TAX_IDS).default([]),
  })
  .strict()
  // The same rules the policy core applies (tax ID formats, duplicates), so the caller learns them as a 400 here.
  .superRefine((p, ctx) => {
    const problem = billingProfileError(p as BillingProfile);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['taxIds'] });
  })
  .openapi('BillingProfileInput', {
    example: {
      email: 'billing@acme.example',
      legalName: 'Acme GmbH',
      address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
      taxIds: [{ type: 'eu_vat', value: 'DE123456789' }],
    },
  });

const StoredTaxIdSchema = z.object({
  id: z.string(),
  type: z.string(),
  value: z.string(),
  country: z.string().nullable(),
  verification: z
    .string()
    .nullable()
    .openapi({ description: "Stripe's verification status (pending, verified, unverified, unavailable) or null" }),
});

const ProfileSchema = z
  .object({
    email: z.string().nullable().openapi({ description: 'null: billing emails have nowhere to go' }),
    legalName: z.string().nullable(),
    address: Address.nullable(),
    taxIds: z.array(StoredTaxIdSchema),
    updatedAt: z.string().datetime().nullable().openapi({ description: 'When the profile was last written' }),
  })
  .openapi('BillingProfile');

const ProfileEnvelope = z.object({ billingProfile: ProfileSchema });

export const getBillingProfile = defineEndpoint({
  method: 'get',
  path: '/billing-profile',
  tags: ['billing profile'],
  summary: "The organization's billing identity: billing email, legal name, address, tax IDs",
  auth: 'user-read',
  responses: {
    200: {
      description: 'The profile as synced to the Stripe customer (all null and no tax IDs before there is a customer)',
      content: { 'application/json': { schema: ProfileEnvelope, example: billingProfileExample } },
    },
    ...errorResponses(401, 429),
  },
  async handle(r) {
    const row = await findCustomer(r.deps.db, r.principal.organizationId);
    const p = row ? profileOf(row) : { email: null, legalName: null, address: null, taxIds: [], updatedAt: null };
    return { billingProfile: { ...p, updatedAt: p.updatedAt?.toISOString() ?? null } };
  },
});

export const putBillingProfile = defineEndpoint({
  method: 'put',
  path: '/billing-profile',
  tags: ['billing profile'],
  summary: 'Replace the billing identity (synced to the Stripe customer, which is created if need be)',
  description:
    'The whole profile: fields left out are cleared (legalName, address) or emptied (taxIds). Tax IDs are checked against the format Stripe documents for their type; Stripe may still refuse one (400 INVALID_REQUEST) and then nothing is changed in the read model. Every billing email goes to `email` from then on. Owner, admin and billing_admin only.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(ProfileInput),
  responses: {
    200: {
      description: 'The profile Stripe now holds',
      content: { 'application/json': { schema: ProfileEnvelope, example: billingProfileExample } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const profile = r.body as BillingProfile;
    await callWorkflow(() => subscriptions.updateBillingProfile(organizationId, profile, r.updateId));
    const row = await findCustomer(r.deps.db, organizationId);
    if (!row) throw new Error('the billing profile was written but its customer row is missing');
    const p = profileOf(row);
    return { billingProfile: { ...p, updatedAt: p.updatedAt?.toISOString() ?? null } };
  },
});
