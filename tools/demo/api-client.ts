import { randomUUID } from 'node:crypto';
import { z } from 'zod';

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

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A frontend's view of the billing API, authenticated as one user of one organization. */
export function createApiClient(baseUrl: string, token: string) {
  async function call<S extends z.ZodType>(
    schema: S,
    method: Method,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Every mutation carries an Idempotency-Key, as a careful frontend does.
    if (method !== 'GET') headers['idempotency-key'] = idempotencyKey ?? `demo-${randomUUID()}`;
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      // A retry carries the same Idempotency-Key, so it reaches the same operation.
      res = await fetch(`${baseUrl}/api/v1/billing${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if ((res.status !== 429 && res.status !== 503) || attempt >= RETRIES_WHEN_BUSY) break;
      await res.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs(res)));
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const envelope = ErrorEnvelope.safeParse(json);
      const { code, message, requestId } = envelope.success
        ? envelope.data.error
        : { code: 'UNKNOWN', message: `HTTP ${res.status}`, requestId: undefined };
      throw new ApiCallError(res.status, code, `${method} ${path} → ${res.status} ${code}: ${message}`, requestId);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new Error(`${method} ${path}: unexpected response shape: ${parsed.error.message}`);
    return parsed.data;
  }

  return {
    getSubscription: () => call(SubscriptionStateSchema, 'GET', '/subscription'),
    /** A retry after a 503 passes the first attempt's key, so it reaches the same workflow update. */
    subscribe: (planId: string, paymentMethodId?: string, idempotencyKey?: string, options?: { skipTrial?: boolean }) =>
      call(SubscriptionStateSchema, 'POST', '/subscription', { planId, paymentMethodId, ...options }, idempotencyKey),
    previewChange: (planId: string) => call(PreviewSchema, 'POST', '/subscription/preview', { planId }),
    changePlan: (planId: string) => call(ChangeSchema, 'PATCH', '/subscription', { planId }),
    cancel: (immediate: boolean) => call(SubscriptionStateSchema, 'DELETE', `/subscription?immediate=${immediate}`),
    resume: () => call(SubscriptionStateSchema, 'POST', '/subscription/resume'),
    updatePaymentMethod: (paymentMethodId: string) =>
      call(PaymentMethodSchema, 'POST', '/payment-method', { paymentMethodId }),
    /** Every invoice, following the cursor. */
    async listInvoices(): Promise<Invoice[]> {
      const all: Invoice[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await call(InvoicePageSchema, 'GET', `/invoices?limit=100${query}`);
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    checkEntitlement: (metric: string, quantity: number) =>
      call(DecisionSchema, 'POST', '/entitlements/check', { metric, quantity }),
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;

export interface UsageEventInput {
  id: string;
  organizationId: string;
  metric: string;
  quantity: number;
  timestamp: string;
}

/** Another backend service reporting usage with its service token. */
export async function ingestUsage(
  baseUrl: string,
  serviceToken: string,
  events: UsageEventInput[],
): Promise<z.infer<typeof IngestSchema>> {
  const res = await fetch(`${baseUrl}/api/v1/billing/usage/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiCallError(res.status, 'USAGE', `POST /usage/events → ${res.status}: ${JSON.stringify(json)}`);
  return IngestSchema.parse(json);
}
