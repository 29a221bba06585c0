import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createBillingClient, type BillingSchemas, type paths } from '../../src/client';
import type { PlanId } from '../../src/domain/plans';
import type { UsageMetric } from '../../src/domain/usage';

/** The parts of the API's responses the demo reads, validated as any outside input is. */
export const SubscriptionStateSchema = z.object({
  subscription: z
    .object({
      plan: z.string(),
      status: z.string(),
      currentPeriodEnd: z.string().nullable(),
      cancelAtPeriodEnd: z.boolean(),
      trialEnd: z.string().nullable(),
      dunningAttempt: z.number().int(),
      graceEndsAt: z.string().nullable(),
      endedAt: z.string().nullable(),
      /** Set while the customer must act (3-D Secure); see docs/api.md. */
      paymentAction: z
        .object({
          type: z.string(),
          invoiceId: z.string(),
          paymentIntentId: z.string().nullable(),
          hostedInvoiceUrl: z.string().nullable(),
        })
        .nullable()
        .optional(),
      dunningPhase: z.string().nullable().optional(),
      dunningNextActionAt: z.string().nullable().optional(),
      /** An enterprise contract assigned by an operator (docs/api.md#enterprise-contracts). */
      contract: z
        .object({
          amount: z.number().int(),
          currency: z.string(),
          interval: z.string(),
          limits: z.record(z.string(), z.number().int()),
          collection: z.object({ method: z.string(), daysUntilDue: z.number().int().optional() }),
        })
        .nullable()
        .optional(),
      /** Collection by invoice: the invoice awaiting payment and its due date. */
      invoiceDue: z
        .object({ invoiceId: z.string(), amountDue: z.number().int(), dueAt: z.string() })
        .nullable()
        .optional(),
    })
    .nullable(),
  effectivePlan: z.string(),
});
export type SubscriptionState = z.infer<typeof SubscriptionStateSchema>;

export const InvoiceSchema = z.object({
  stripeInvoiceId: z.string(),
  status: z.string(),
  amountDue: z.number().int(),
  amountPaid: z.number().int(),
  billingReason: z.string().nullable(),
  attemptCount: z.number().int(),
  hostedInvoiceUrl: z.string().nullable().optional(),
  dueDate: z.string().nullable().optional(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;
const InvoicePageSchema = z.object({ data: z.array(InvoiceSchema), nextCursor: z.string().nullable() });

const PreviewSchema = z.object({
  plan: z.string(),
  currency: z.string(),
  amountDueNow: z.number().int(),
  prorationAmount: z.number().int(),
});
const ChangeSchema = SubscriptionStateSchema.extend({ change: z.string() });
const PaymentMethodSchema = SubscriptionStateSchema.extend({ retry: z.enum(['paid', 'declined']).nullable() });
const IngestSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.array(z.string()),
  rejected: z.array(z.object({ reason: z.string(), message: z.string() })),
});
const DecisionSchema = z.object({
  allowed: z.boolean(),
  plan: z.string(),
  limit: z.number().nullable(),
  used: z.number(),
  remaining: z.number().nullable(),
  overage: z
    .object({
      quantity: z.number(),
      terms: z.object({ unitAmount: z.number(), blockSize: z.number(), currency: z.string() }),
    })
    .optional(),
});
const EntitlementsSchema = z.object({
  plan: z.string(),
  metrics: z.array(z.object({ metric: z.string(), limit: z.number().nullable(), used: z.number() })),
});
export type Entitlements = z.infer<typeof EntitlementsSchema>;
const ErrorEnvelope = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string().optional() }),
});

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The API's request id from the error envelope, for its logs. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** How often a call answered 429 or 503 is tried again (after Retry-After, at most 10 s each). */
const RETRIES_WHEN_BUSY = 3;
const retryAfterMs = (res: Response): number =>
  Math.min(10_000, Math.max(250, Number(res.headers.get('retry-after') ?? '1') * 1000 || 1000));

/** Tries a call answered 429 or 503 again after Retry-After (the same request, so the same Idempotency-Key). */
async function fetchRetryingWhenBusy(request: Request): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(request.clone());
    if ((res.status !== 429 && res.status !== 503) || attempt >= RETRIES_WHEN_BUSY) return res;
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs(res)));
  }
}

type Answer = { data?: unknown; error?: unknown; response: Response };

/**
 * The typed client's answer (paths, bodies and queries checked by the compiler against docs/openapi.json), its
 * body still validated at run time as any outside input is: the demo checks what a frontend would rely on.
 */
async function answer<S extends z.ZodType>(schema: S, label: string, call: Promise<Answer>): Promise<z.infer<S>> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const envelope = ErrorEnvelope.safeParse(error);
    const { code, message, requestId } = envelope.success
      ? envelope.data.error
      : { code: 'UNKNOWN', message: `HTTP ${response.status}`, requestId: undefined };
    throw new ApiCallError(response.status, code, `${label} → ${response.status} ${code}: ${message}`, requestId);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`${label}: unexpected response shape: ${parsed.error.message}`);
  return parsed.data;
}

/** Every mutation carries an Idempotency-Key, as a careful frontend does. */
const idempotent = (key?: string) => ({ header: { 'idempotency-key': key ?? `demo-${randomUUID()}` } });

/** A frontend's view of the billing API through the typed client (src/client), as one user of one organization. */
export function createApiClient(baseUrl: string, token: string) {
  const api = createBillingClient({ baseUrl, token: () => token, fetch: fetchRetryingWhenBusy });
  return {
    getSubscription: () =>
      answer(SubscriptionStateSchema, 'GET /subscription', api.GET('/api/v1/billing/subscription')),
    /** A retry after a 503 passes the first attempt's key, so it reaches the same workflow update. */
    subscribe: (planId: PlanId, paymentMethodId?: string, idempotencyKey?: string, options?: { skipTrial?: boolean }) =>
      answer(
        SubscriptionStateSchema,
        'POST /subscription',
        api.POST('/api/v1/billing/subscription', {
          params: idempotent(idempotencyKey),
          body: { planId, ...(paymentMethodId ? { paymentMethodId } : {}), ...options },
        }),
      ),
    previewChange: (planId: PlanId) =>
      answer(
        PreviewSchema,
        'POST /subscription/preview',
        api.POST('/api/v1/billing/subscription/preview', { body: { planId } }),
      ),
    changePlan: (planId: PlanId) =>
      answer(
        ChangeSchema,
        'PATCH /subscription',
        api.PATCH('/api/v1/billing/subscription', { params: idempotent(), body: { planId } }),
      ),
    cancel: (immediate: boolean) =>
      answer(
        SubscriptionStateSchema,
        'DELETE /subscription',
        api.DELETE('/api/v1/billing/subscription', {
          params: { ...idempotent(), query: { immediate: immediate ? 'true' : 'false' } },
        }),
      ),
    resume: () =>
      answer(
        SubscriptionStateSchema,
        'POST /subscription/resume',
        api.POST('/api/v1/billing/subscription/resume', { params: idempotent() }),
      ),
    updatePaymentMethod: (paymentMethodId: string) =>
      answer(
        PaymentMethodSchema,
        'POST /payment-method',
        api.POST('/api/v1/billing/payment-method', { params: idempotent(), body: { paymentMethodId } }),
      ),
    /** Every invoice, following the cursor. */
    async listInvoices(): Promise<Invoice[]> {
      const all: Invoice[] = [];
      let cursor: string | null = null;
      do {
        const query: { limit: number; cursor?: string } = cursor ? { limit: 100, cursor } : { limit: 100 };
        const page: z.infer<typeof InvoicePageSchema> = await answer(
          InvoicePageSchema,
          'GET /invoices',
          api.GET('/api/v1/billing/invoices', { params: { query } }),
        );
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    getEntitlements: () => answer(EntitlementsSchema, 'GET /entitlements', api.GET('/api/v1/billing/entitlements')),
    checkEntitlement: (metric: UsageMetric, quantity: number) =>
      answer(
        DecisionSchema,
        'POST /entitlements/check',
        api.POST('/api/v1/billing/entitlements/check', { body: { metric, quantity } }),
      ),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;

export type ContractInput =
  paths['/api/v1/billing/admin/organizations/{organizationId}/contract']['post']['requestBody']['content']['application/json'];

/** An operator of the billing service (an ADMIN_TOKENS token), through the same typed client. */
export function createAdminClient(baseUrl: string, adminToken: string) {
  const api = createBillingClient({ baseUrl, token: () => adminToken, fetch: fetchRetryingWhenBusy });
  return {
    assignContract: (organizationId: string, contract: ContractInput) =>
      answer(
        SubscriptionStateSchema.pick({ subscription: true }),
        'POST /admin/organizations/{organizationId}/contract',
        api.POST('/api/v1/billing/admin/organizations/{organizationId}/contract', {
          // One key for the assignment: a retry (after a 429 or 503) is the same assignment, never a second one.
          params: { path: { organizationId }, header: { 'idempotency-key': `demo-contract-${organizationId}` } },
          body: contract,
        }),
      ),
  };
}
export type AdminClient = ReturnType<typeof createAdminClient>;

export type UsageEventInput = BillingSchemas['UsageEvent'];

/** Another backend service reporting usage with its service token, through the same typed client. */
export function ingestUsage(
  baseUrl: string,
  serviceToken: string,
  events: UsageEventInput[],
): Promise<z.infer<typeof IngestSchema>> {
  const api = createBillingClient({ baseUrl, token: () => serviceToken, fetch: fetchRetryingWhenBusy });
  // The batch is typed loosely in the document (each item is validated on its own by the API).
  return answer(IngestSchema, 'POST /usage/events', api.POST('/api/v1/billing/usage/events', { body: { events } }));
}
