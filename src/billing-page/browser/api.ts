import { createBillingClient, errorOf, type BillingSchemas } from '../../client';
import { userToken } from './session';

export type Subscription = NonNullable<BillingSchemas['SubscriptionState']['subscription']>;
export type SubscriptionState = BillingSchemas['SubscriptionState'];
export type Plan = BillingSchemas['Plan'];
export type Invoice = BillingSchemas['Invoice'];
export type PaymentMethod = BillingSchemas['PaymentMethod'];
export type Entitlements = BillingSchemas['Entitlements'];
export type Preview = BillingSchemas['PlanChangePreview'];

/** The public billing API on this page's origin, as the signed-in user. */
export const api = createBillingClient({ baseUrl: location.origin, token: userToken });

/** A refused call, with the API's code, message and request id. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

/** The answer's data, or an ApiFailure from its error envelope. */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data: body, error, response } = await call;
  if (body !== undefined && response.ok) return body;
  const envelope = errorOf(error);
  throw new ApiFailure(
    response.status,
    envelope?.code ?? 'UNKNOWN_ERROR',
    envelope?.message ?? `The API answered ${response.status}`,
    envelope?.requestId,
  );
}

/** A fresh Idempotency-Key for one user action (a retried click of the same action reuses it). */
export const idempotencyKey = (): string => `page-${crypto.randomUUID()}`;
