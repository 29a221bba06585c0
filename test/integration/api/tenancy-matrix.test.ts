import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { sql } from 'kysely';
import { subscriptionWorkflowId } from '../../../src/workflows/messages';
import { eventually, startStack, type Stack } from '../../helpers/stack';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';

/**
 * Tenant isolation as one matrix over the real stack (API over HTTP, Postgres, Temporal worker,
 * Stripe simulator): every operation of the OpenAPI document × every way a caller can point at
 * another organization — a token for the victim's organization it cannot have signed, or its own
 * valid token carrying the victim's ids (organizationId in query or body, payment method,
 * invoice cursor, Idempotency-Key, usage events). Each attempt has one exact expected answer,
 * no response mentions the victim, and afterwards the victim's rows, workflow and Stripe objects
 * are exactly as before. A new operation without a matrix entry fails the first test.
 */
jest.setTimeout(240_000);

let stack: Stack;
const id = () => randomUUID().slice(0, 8);
/** Subscribed (starter, trial), has usage and a card; never acts in the matrix. */
const victim = {
  org: `org_victim_${id()}`,
  token: '',
  idempotencyKey: `victim-subscribe-${id()}`,
  pmId: '',
  customerId: '',
  stripeSubscriptionId: '',
  invoiceId: '',
  stripeInvoiceId: '',
};
/** Subscribed too, so its mutations reach a live workflow (its own). */
const attacker = { org: `org_attacker_${id()}`, token: '' };
/** No subscription: a mutation could only act on someone else's. */
const newcomer = { org: `org_newcomer_${id()}`, token: '' };
const ADMIN_TOKEN = 'adm_tenancy_matrix_0123456789abcdef';
const SUBSCRIBE_BODY = { planId: 'starter', paymentMethodId: 'pm_card_visa' };
const today = new Date().toISOString().slice(0, 10);

interface Answer {
  status: number;
  code?: string;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  body: any;
}

async function send(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${stack.api.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  return { status: res.status, code: body?.error?.code, headers: res.headers, text, body };
}

type Access = 'user' | 'user-or-service' | 'service' | 'admin' | 'public' | 'stripe-signature';
interface Attempt {
  name: string;
  send: () => Promise<Answer>;
  status: number;
  code?: string;
  /** A 2xx answer must be about the caller alone. */
  check?: (a: Answer) => void | Promise<void>;
}
interface Entry {
  access: Access;
  /** A well-formed request (so a refusal comes from authentication, not validation); a token is added per attempt. */
  valid?: { path: string; body?: unknown };
  attempts: Attempt[];
}

const B = '/api/v1/billing';
const own = (org: string) => (a: Answer) => expect(a.body.subscription?.organizationId).toBe(org);
const usageEvent = (org: string) => ({
  id: randomUUID(),
  organizationId: org,
  metric: 'messages',
  quantity: 3,
  timestamp: new Date().toISOString(),
});

/** Keyed by "METHOD path" exactly as the OpenAPI document lists the operation. */
const MATRIX: Record<string, Entry> = {
  'GET /api/v1/billing/subscription': {
    access: 'user',
    valid: { path: `${B}/subscription` },
    attempts: [
      {
        name: "own token, victim's organizationId in the query",
        send: () =>
          send('GET', `${B}/subscription?organizationId=${victim.org}&org_id=${victim.org}`, { token: attacker.token }),
        status: 200,
        check: own(attacker.org),
      },
    ],
  },
  'POST /api/v1/billing/subscription': {
    access: 'user',
    valid: { path: `${B}/subscription`, body: SUBSCRIBE_BODY },
    attempts: [
      {
        name: "own token, the victim's Idempotency-Key and identical body (no replay of the victim's answer)",
        send: () =>
          send('POST', `${B}/subscription`, {
            token: attacker.token,
            body: SUBSCRIBE_BODY,
            headers: { 'idempotency-key': victim.idempotencyKey },
          }),
        status: 409,
        code: 'CONFLICT',
        check: (a) =>
          expect([a.headers.get('idempotent-replayed'), a.body.error.details?.reason]).toEqual([
            null,
            'AlreadySubscribed',
          ]),
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('POST', `${B}/subscription`, {
            token: newcomer.token,
            body: { ...SUBSCRIBE_BODY, organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      // Stripe refuses a card attached to another customer; the workflow reports it as an invalid request.
      {
        name: "own token, the victim's payment method",
        send: () =>
          send('POST', `${B}/subscription`, {
            token: newcomer.token,
            body: { planId: 'starter', paymentMethodId: victim.pmId },
          }),
        status: 400,
        code: 'INVALID_REQUEST',
      },
    ],
  },
  'PATCH /api/v1/billing/subscription': {
    access: 'user',
    valid: { path: `${B}/subscription`, body: { planId: 'professional' } },
    attempts: [
      {
        name: 'a token without a subscription (the organization comes from the token only)',
        send: () => send('PATCH', `${B}/subscription`, { token: newcomer.token, body: { planId: 'professional' } }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('PATCH', `${B}/subscription`, {
            token: attacker.token,
            body: { planId: 'professional', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: "own token, the victim's organizationId in the query (acts on the caller's own subscription)",
        send: () =>
          send('PATCH', `${B}/subscription?organizationId=${victim.org}`, {
            token: attacker.token,
            body: { planId: 'starter' },
          }),
        status: 409,
        code: 'CONFLICT',
        check: (a) => expect(a.body.error.details?.reason).toBe('SamePlan'),
      },
    ],
  },
  'DELETE /api/v1/billing/subscription': {
    access: 'user',
    valid: { path: `${B}/subscription?immediate=true` },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('DELETE', `${B}/subscription?immediate=true`, { token: newcomer.token }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the query",
        send: () =>
          send('DELETE', `${B}/subscription?immediate=true&organizationId=${victim.org}`, { token: attacker.token }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ],
  },
  'POST /api/v1/billing/subscription/preview': {
    access: 'user',
    valid: { path: `${B}/subscription/preview`, body: { planId: 'professional' } },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () =>
          send('POST', `${B}/subscription/preview`, { token: newcomer.token, body: { planId: 'professional' } }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('POST', `${B}/subscription/preview`, {
            token: attacker.token,
            body: { planId: 'professional', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ],
  },
  'POST /api/v1/billing/subscription/resume': {
    access: 'user',
    valid: { path: `${B}/subscription/resume` },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('POST', `${B}/subscription/resume`, { token: newcomer.token }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the query (acts on the caller's own subscription)",
        send: () => send('POST', `${B}/subscription/resume?organizationId=${victim.org}`, { token: attacker.token }),
        status: 409,
        code: 'CONFLICT',
        check: (a) => expect(a.body.error.details?.reason).toBe('NothingToResume'),
      },
    ],
  },
  'POST /api/v1/billing/subscription/add-ons': {
    access: 'user',
    valid: { path: `${B}/subscription/add-ons`, body: { addOn: 'agents_5' } },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('POST', `${B}/subscription/add-ons`, { token: newcomer.token, body: { addOn: 'agents_5' } }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('POST', `${B}/subscription/add-ons`, {
            token: attacker.token,
            body: { addOn: 'agents_5', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ],
  },
  'DELETE /api/v1/billing/subscription/add-ons/{addOn}': {
    access: 'user',
    valid: { path: `${B}/subscription/add-ons/agents_5` },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('DELETE', `${B}/subscription/add-ons/agents_5`, { token: newcomer.token }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the query (acts on the caller's own subscription)",
        send: () =>
          send('DELETE', `${B}/subscription/add-ons/agents_5?organizationId=${victim.org}`, { token: attacker.token }),
        status: 409,
        code: 'CONFLICT',
        check: (a) => expect(a.body.error.details?.reason).toBe('SamePlan'),
      },
    ],
  },
  'POST /api/v1/billing/subscription/pause': {
    access: 'user',
    valid: { path: `${B}/subscription/pause`, body: { behavior: 'no_access' } },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('POST', `${B}/subscription/pause`, { token: newcomer.token, body: { behavior: 'no_access' } }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('POST', `${B}/subscription/pause`, {
            token: attacker.token,
            body: { behavior: 'no_access', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ],
  },
  'DELETE /api/v1/billing/subscription/pause': {
    access: 'user',
    valid: { path: `${B}/subscription/pause` },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('DELETE', `${B}/subscription/pause`, { token: newcomer.token }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the query (acts on the caller's own subscription)",
        send: () => send('DELETE', `${B}/subscription/pause?organizationId=${victim.org}`, { token: attacker.token }),
        status: 409,
        code: 'CONFLICT',
        check: (a) => expect(a.body.error.details?.reason).toBe('NotPaused'),
      },
    ],
  },
  'POST /api/v1/billing/subscription/discount': {
    access: 'user',
    valid: { path: `${B}/subscription/discount`, body: { promotionCode: 'MATRIX10' } },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () =>
          send('POST', `${B}/subscription/discount`, { token: newcomer.token, body: { promotionCode: 'MATRIX10' } }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('POST', `${B}/subscription/discount`, {
            token: attacker.token,
            body: { promotionCode: 'MATRIX10', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
    ],
  },
  'DELETE /api/v1/billing/subscription/discount': {
    access: 'user',
    valid: { path: `${B}/subscription/discount` },
    attempts: [
      {
        name: 'a token without a subscription',
        send: () => send('DELETE', `${B}/subscription/discount`, { token: newcomer.token }),
        status: 409,
        code: 'CONFLICT',
      },
      {
        name: "own token, the victim's organizationId in the query (acts on the caller's own subscription)",
        send: () =>
          send('DELETE', `${B}/subscription/discount?organizationId=${victim.org}`, { token: attacker.token }),
        status: 400,
        code: 'INVALID_REQUEST',
      },
    ],
  },
  'GET /api/v1/billing/invoices': {
    access: 'user',
    valid: { path: `${B}/invoices` },
    attempts: [
      {
        name: "own token, a cursor naming the victim's invoice",
        send: () =>
          send(
            'GET',
            `${B}/invoices?cursor=${Buffer.from(JSON.stringify({ createdAt: '2100-01-01T00:00:00.000Z', id: victim.invoiceId })).toString('base64url')}`,
            { token: attacker.token },
          ),
        status: 200,
        check: async (a) =>
          expect(a.body.data).toEqual((await send('GET', `${B}/invoices`, { token: attacker.token })).body.data),
      },
    ],
  },
  'GET /api/v1/billing/usage': {
    access: 'user',
    valid: { path: `${B}/usage?startDate=${today}&endDate=${today}` },
    attempts: [
      {
        name: "own token, the victim's organizationId in the query",
        send: () =>
          send('GET', `${B}/usage?startDate=${today}&endDate=${today}&organizationId=${victim.org}`, {
            token: attacker.token,
          }),
        status: 200,
        check: (a) => expect(a.body.data).toEqual([]),
      },
    ],
  },
  'POST /api/v1/billing/payment-method': {
    access: 'user',
    valid: { path: `${B}/payment-method`, body: { paymentMethodId: 'pm_card_mastercard' } },
    attempts: [
      {
        name: "own token, the victim's payment method",
        send: () =>
          send('POST', `${B}/payment-method`, { token: attacker.token, body: { paymentMethodId: victim.pmId } }),
        status: 400,
        code: 'INVALID_REQUEST',
      },
      {
        name: 'a token without a subscription',
        send: () =>
          send('POST', `${B}/payment-method`, {
            token: newcomer.token,
            body: { paymentMethodId: 'pm_card_mastercard' },
          }),
        status: 409,
        code: 'CONFLICT',
      },
    ],
  },
  'POST /api/v1/billing/payment-methods/setup-intent': {
    access: 'user',
    valid: { path: `${B}/payment-methods/setup-intent` },
    attempts: [
      {
        name: "own token, the victim's organizationId in the query: the SetupIntent is for the caller's own customer",
        send: () =>
          send('POST', `${B}/payment-methods/setup-intent?organizationId=${victim.org}`, {
            token: attacker.token,
            headers: { 'idempotency-key': `si-${id()}` },
          }),
        status: 200,
        check: async (a) =>
          expect((await stack.stripe.setupIntents.retrieve(a.body.setupIntentId)).metadata?.organization_id).toBe(
            attacker.org,
          ),
      },
    ],
  },
  'GET /api/v1/billing/invoices/upcoming': {
    access: 'user',
    valid: { path: `${B}/invoices/upcoming` },
    attempts: [
      {
        name: "own token, the victim's organizationId in the query: the caller's own next invoice",
        send: () => send('GET', `${B}/invoices/upcoming?organizationId=${victim.org}`, { token: attacker.token }),
        status: 200,
        check: async (a) =>
          expect(a.body).toEqual((await send('GET', `${B}/invoices/upcoming`, { token: attacker.token })).body),
      },
    ],
  },
  'GET /api/v1/billing/billing-profile': {
    access: 'user',
    valid: { path: `${B}/billing-profile` },
    attempts: [
      {
        name: "own token, the victim's organizationId in the query: the caller's own profile",
        send: () => send('GET', `${B}/billing-profile?organizationId=${victim.org}`, { token: attacker.token }),
        status: 200,
        check: async (a) =>
          expect(a.body).toEqual((await send('GET', `${B}/billing-profile`, { token: attacker.token })).body),
      },
    ],
  },
  'PUT /api/v1/billing/billing-profile': {
    access: 'user',
    valid: { path: `${B}/billing-profile`, body: { email: 'billing@tenancy.example' } },
    attempts: [
      {
        name: "own token, the victim's organizationId in the body",
        send: () =>
          send('PUT', `${B}/billing-profile`, {
            token: attacker.token,
            body: { email: 'billing@attacker.example', organizationId: victim.org },
          }),
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        name: "own token, the victim's organizationId in the query: the caller's own customer is written",
        send: () =>
          send('PUT', `${B}/billing-profile?organizationId=${victim.org}`, {
            token: attacker.token,
            body: { email: 'billing@attacker.example' },
            headers: { 'idempotency-key': `bp-${id()}` },
          }),
        status: 200,
        check: async (a) => {
          expect(a.body.billingProfile.email).toBe('billing@attacker.example');
          const row = await stack.t.db
            .selectFrom('billing_customers')
            .select(['organization_id', 'stripe_customer_id'])
            .where('email', '=', 'billing@attacker.example')
            .execute();
          expect(row.map((r) => r.organization_id)).toEqual([attacker.org]);
        },
      },
    ],
  },
  'GET /api/v1/billing/payment-methods': {
    access: 'user',
    valid: { path: `${B}/payment-methods` },
    attempts: [
      {
        name: "own token, the victim's organizationId in the query",
        send: () => send('GET', `${B}/payment-methods?organizationId=${victim.org}`, { token: attacker.token }),
        status: 200,
        check: async (a) =>
          expect(a.body.data).toEqual((await send('GET', `${B}/payment-methods`, { token: attacker.token })).body.data),
      },
    ],
  },
  'GET /api/v1/billing/entitlements': {
    access: 'user-or-service',
    valid: { path: `${B}/entitlements` },
    attempts: [
      {
        name: "own token, the victim's organizationId",
        send: () => send('GET', `${B}/entitlements?organizationId=${victim.org}`, { token: attacker.token }),
        status: 403,
        code: 'FORBIDDEN',
      },
    ],
  },
  'POST /api/v1/billing/entitlements/check': {
    access: 'user-or-service',
    valid: { path: `${B}/entitlements/check`, body: { metric: 'messages', quantity: 1 } },
    attempts: [
      {
        name: "own token, the victim's organizationId",
        send: () =>
          send('POST', `${B}/entitlements/check`, {
            token: attacker.token,
            body: { organizationId: victim.org, metric: 'messages', quantity: 1 },
          }),
        status: 403,
        code: 'FORBIDDEN',
      },
      {
        name: "own token, consuming the victim's quota",
        send: () =>
          send('POST', `${B}/entitlements/check`, {
            token: attacker.token,
            body: { organizationId: victim.org, metric: 'messages', quantity: 1, consume: { eventId: randomUUID() } },
          }),
        status: 403,
        code: 'FORBIDDEN',
      },
    ],
  },
  'POST /api/v1/billing/usage/events': {
    access: 'service',
    attempts: [
      {
        name: "a user token reporting the victim's usage",
        send: () =>
          send('POST', `${B}/usage/events`, { token: attacker.token, body: { events: [usageEvent(victim.org)] } }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
      {
        name: "the victim's own user token (users never ingest)",
        send: () =>
          send('POST', `${B}/usage/events`, { token: victim.token, body: { events: [usageEvent(victim.org)] } }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
    ],
  },
  'GET /api/v1/billing/plans': {
    access: 'public',
    attempts: [
      {
        name: 'a forged token for the victim (ignored: the catalog is the same for everyone)',
        send: async () => send('GET', `${B}/plans`, { token: await forged(victim.org) }),
        status: 200,
        check: async (a) => expect(a.body).toEqual((await send('GET', `${B}/plans`)).body),
      },
    ],
  },
  'POST /api/v1/billing/webhooks/stripe': {
    access: 'stripe-signature',
    attempts: [
      {
        name: "a user token and an unsigned event about the victim's subscription",
        send: () =>
          send('POST', `${B}/webhooks/stripe`, {
            token: attacker.token,
            body: {
              id: `evt_${id()}`,
              object: 'event',
              type: 'customer.subscription.deleted',
              created: Math.floor(Date.now() / 1000),
              data: {
                object: {
                  id: victim.stripeSubscriptionId,
                  object: 'subscription',
                  customer: victim.customerId,
                  status: 'canceled',
                },
              },
            },
          }),
        status: 400,
        code: 'INVALID_REQUEST',
      },
    ],
  },
  // Operator endpoints: no user token qualifies, not even an organization's own owner or admin role.
  'GET /api/v1/billing/admin/health-report': {
    access: 'admin',
    valid: { path: `${B}/admin/health-report` },
    // The control: an operator token is configured and works, so the refusals are about the token.
    attempts: [
      {
        name: 'an operator token (control)',
        send: () => send('GET', `${B}/admin/health-report`, { token: ADMIN_TOKEN }),
        status: 200,
      },
    ],
  },
  'GET /api/v1/billing/admin/invoices/undelivered': {
    access: 'admin',
    valid: { path: `${B}/admin/invoices/undelivered?organizationId=${victim.org}` },
    attempts: [],
  },
  'POST /api/v1/billing/admin/invoices/{invoiceId}/resend': {
    access: 'admin',
    valid: { path: `${B}/admin/invoices/{invoiceId}/resend` },
    attempts: [
      {
        name: "an owner token asking to re-send the victim's invoice",
        send: () => send('POST', `${B}/admin/invoices/${victim.stripeInvoiceId}/resend`, { token: attacker.token }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
    ],
  },
  'POST /api/v1/billing/admin/invoices/{invoiceId}/refunds': {
    access: 'admin',
    valid: { path: `${B}/admin/invoices/{invoiceId}/refunds`, body: { reason: 'duplicate' } },
    attempts: [
      {
        name: "an owner token asking to refund the victim's invoice",
        send: () =>
          send('POST', `${B}/admin/invoices/${victim.stripeInvoiceId}/refunds`, {
            token: attacker.token,
            body: { reason: 'duplicate' },
            headers: { 'idempotency-key': `refund-${id()}` },
          }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
    ],
  },
  'POST /api/v1/billing/admin/organizations/{organizationId}/contract': {
    access: 'admin',
    valid: { path: `${B}/admin/organizations/{organizationId}/contract` },
    attempts: [
      {
        name: 'an owner token assigning itself an enterprise contract',
        send: () =>
          send('POST', `${B}/admin/organizations/${attacker.org}/contract`, {
            token: attacker.token,
            body: {
              amount: 1,
              currency: 'usd',
              interval: 'month',
              limits: { users: -1 },
              collection: { method: 'send_invoice', daysUntilDue: 90 },
            },
          }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
    ],
  },
  // Coupons and promotion codes are the operator's, not an organization's: no user token may create one.
  'POST /api/v1/billing/admin/coupons': {
    access: 'admin',
    valid: { path: `${B}/admin/coupons`, body: { name: 'Matrix', percentOff: 10, duration: 'once' } },
    attempts: [],
  },
  'POST /api/v1/billing/admin/promotion-codes': {
    access: 'admin',
    valid: { path: `${B}/admin/promotion-codes`, body: { code: 'MATRIX10', couponId: 'MATRIX' } },
    attempts: [],
  },
  'GET /healthz': {
    access: 'public',
    attempts: [
      {
        name: 'a forged token for the victim (no organization data)',
        send: async () => send('GET', '/healthz', { token: await forged(victim.org) }),
        status: 200,
      },
    ],
  },
  'GET /readyz': {
    access: 'public',
    attempts: [
      {
        name: 'a forged token for the victim (no organization data)',
        send: async () => send('GET', '/readyz', { token: await forged(victim.org) }),
        status: 200,
      },
    ],
  },
};

/** A well-formed token for the organization, signed with a key the service does not hold. */
const forged = (org: string) =>
  new SignJWT({ org_id: org, role: 'owner' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`user_${org}`)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('not-the-service-secret-'.repeat(2)));
const unsigned = (org: string) =>
  new UnsecuredJWT({ org_id: org, role: 'owner', sub: `user_${org}` }).setExpirationTime('1h').encode();

/**
 * Attempts every authenticated operation gets: for user operations, tokens for the victim's
 * organization the caller cannot have; for operator operations, the victim's own valid tokens.
 */
function tokenAttempts(key: string, entry: Entry): Attempt[] {
  const method = key.split(' ')[0]!;
  const valid = entry.valid ?? { path: key.split(' ')[1]! };
  const withToken = (token: () => Promise<string> | string) => async () =>
    send(method, valid.path.replace('{invoiceId}', victim.stripeInvoiceId), { token: await token(), body: valid.body });
  if (entry.access === 'admin') {
    return [
      { name: "the victim's owner token", send: withToken(() => victim.token), status: 401, code: 'UNAUTHORIZED' },
      {
        name: "a token with the victim's admin role",
        send: withToken(() => userToken({ org: victim.org, role: 'admin' })),
        status: 401,
        code: 'UNAUTHORIZED',
      },
      { name: 'a service token', send: withToken(() => TEST_SERVICE_TOKEN), status: 401, code: 'UNAUTHORIZED' },
    ];
  }
  if (entry.access !== 'user' && entry.access !== 'user-or-service') return [];
  const attempts: Attempt[] = [
    {
      name: 'a token for the victim signed with another key',
      send: withToken(() => forged(victim.org)),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'an unsigned (alg: none) token for the victim',
      send: withToken(() => unsigned(victim.org)),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: "the victim's token, expired",
      send: withToken(() => userToken({ org: victim.org, expiresIn: '-1m' })),
      status: 401,
      code: 'UNAUTHORIZED',
    },
  ];
  // A service token may name any organization by design (backend callers); it never acts as a user.
  if (entry.access === 'user')
    attempts.push({
      name: 'a service token',
      send: withToken(() => TEST_SERVICE_TOKEN),
      status: 401,
      code: 'UNAUTHORIZED',
    });
  return attempts;
}

const CASES = Object.entries(MATRIX).flatMap(([key, entry]) =>
  [...tokenAttempts(key, entry), ...entry.attempts].map((attempt) => [key, attempt.name, attempt] as const),
);

/** Everything the victim has: its rows in every table with an organization_id, its workflow, its Stripe objects. */
async function victimState() {
  const { db, schema } = stack.t;
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and a.attname = 'organization_id' and c.relkind in ('r', 'p') and not c.relispartition order by 1`.execute(
    db,
  );
  const rows: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    const result = await sql<{
      row: string;
    }>`select to_jsonb(t)::text as row from ${sql.id(name)} t where organization_id = ${victim.org}`.execute(db);
    rows[name] = result.rows.map((r) => r.row).sort();
  }
  const described = await stack.temporal.client.workflow.getHandle(subscriptionWorkflowId(victim.org)).describe();
  const stripeSub = await stack.stripe.subscriptions.retrieve(victim.stripeSubscriptionId);
  const pm = await stack.stripe.paymentMethods.retrieve(victim.pmId);
  return {
    rows,
    workflow: { runId: described.runId, status: described.status.name, historyLength: described.historyLength },
    stripe: { subscription: stripeSub, paymentMethodCustomer: pm.customer },
  };
}

/** The victim's state once webhooks and the workflow have gone quiet (unchanged over 2 s). */
async function settledVictimState() {
  return eventually(
    'the victim to settle',
    async () => {
      const before = JSON.stringify(await victimState());
      await new Promise((r) => setTimeout(r, 2_000));
      const inbox = await stack.t.db
        .selectFrom('stripe_events')
        .select('id')
        .where('relay_status', '=', 'pending')
        .execute();
      const after = await victimState();
      return inbox.length === 0 && JSON.stringify(after) === before ? after : undefined;
    },
    60_000,
  );
}

let victimBefore: Awaited<ReturnType<typeof victimState>>;

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  const { syncCatalog } = await import('../../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
  victim.token = await userToken({ org: victim.org, email: `${victim.org}@customers.example` });
  attacker.token = await userToken({ org: attacker.org, email: `${attacker.org}@customers.example` });
  newcomer.token = await userToken({ org: newcomer.org });

  const subscribed = await send('POST', `${B}/subscription`, {
    token: victim.token,
    body: SUBSCRIBE_BODY,
    headers: { 'idempotency-key': victim.idempotencyKey },
  });
  expect(subscribed.status).toBe(201);
  expect((await send('POST', `${B}/subscription`, { token: attacker.token, body: SUBSCRIBE_BODY })).status).toBe(201);
  expect(
    (await send('POST', `${B}/usage/events`, { token: TEST_SERVICE_TOKEN, body: { events: [usageEvent(victim.org)] } }))
      .body.accepted,
  ).toBe(1);

  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', victim.org)
    .executeTakeFirstOrThrow();
  victim.customerId = customer.stripe_customer_id;
  const mirrored = await eventually("the victim's subscription, card and invoice mirrored", async () => {
    const sub = await stack.t.db
      .selectFrom('subscriptions')
      .select('stripe_subscription_id')
      .where('organization_id', '=', victim.org)
      .executeTakeFirst();
    const pm = await stack.t.db
      .selectFrom('payment_methods')
      .select('stripe_payment_method_id')
      .where('organization_id', '=', victim.org)
      .executeTakeFirst();
    const invoice = await stack.t.db
      .selectFrom('invoices')
      .select(['id', 'stripe_invoice_id'])
      .where('organization_id', '=', victim.org)
      .executeTakeFirst();
    return sub?.stripe_subscription_id && pm && invoice
      ? { sub: sub.stripe_subscription_id, pm: pm.stripe_payment_method_id, invoice }
      : undefined;
  });
  Object.assign(victim, {
    stripeSubscriptionId: mirrored.sub,
    pmId: mirrored.pm,
    invoiceId: mirrored.invoice.id,
    stripeInvoiceId: mirrored.invoice.stripe_invoice_id,
  });
  victimBefore = await settledVictimState();
});
afterAll(async () => {
  await stack?.close();
});

test('every operation in the OpenAPI document has a matrix entry with its security scheme', async () => {
  const doc = (await send('GET', '/api/v1/openapi.json')).body as {
    paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
  };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );
  expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(MATRIX).sort());
  for (const { key, op } of operations) {
    const schemes = (op.security ?? [])
      .flatMap((s) => Object.keys(s))
      .sort()
      .join('+');
    const expected = {
      user: 'userToken',
      'user-or-service': 'serviceToken+userToken',
      service: 'serviceToken',
      admin: 'adminToken',
      public: '',
      'stripe-signature': '',
    }[MATRIX[key]!.access];
    expect(`${key}: ${schemes}`).toBe(`${key}: ${expected}`);
  }
});

test.each(CASES)('%s × %s', async (_, __, attempt) => {
  const answer = await attempt.send();
  expect({ status: answer.status, code: answer.code }).toEqual({ status: attempt.status, code: attempt.code });
  for (const secret of [
    victim.org,
    victim.pmId,
    victim.customerId,
    victim.stripeSubscriptionId,
    victim.invoiceId,
    victim.stripeInvoiceId,
  ])
    expect(answer.text).not.toContain(secret);
  await attempt.check?.(answer);
});

test("afterwards the victim's rows, workflow and Stripe objects are exactly as before", async () => {
  const after = await settledVictimState();
  expect(after).toEqual(victimBefore);
  expect(Object.values(after.rows).flat().length).toBeGreaterThan(5);
  expect(after.workflow.status).toBe('RUNNING');
  expect(after.stripe.paymentMethodCustomer).toBe(victim.customerId);
});
