import { z } from '@hono/zod-openapi';
import { PAUSE_BEHAVIORS } from '../../../domain/pause';
import {
  BillingIntervalSchema,
  CurrencySchema,
  PlanIdSchema,
  SubscriptionStatusSchema,
  Timestamp,
} from '../../schemas';

/** A payment waiting for the customer (3-D Secure): never reported as a decline. */
export const PaymentActionSchema = z
  .object({
    type: z.literal('requires_action'),
    invoiceId: z.string(),
    paymentIntentId: z.string().nullable(),
    clientSecret: z
      .string()
      .nullable()
      .openapi({ description: 'For Stripe.js (handleNextAction) on the customer’s device' }),
    hostedInvoiceUrl: z
      .string()
      .nullable()
      .openapi({ description: 'Where the customer can complete the payment without the frontend' }),
  })
  .openapi('PaymentAction');

export const DiscountSchema = z
  .object({
    promotionCode: z.string().nullable(),
    couponId: z.string(),
    name: z.string().nullable(),
    percentOff: z.number().nullable(),
    amountOff: z.number().int().nullable().openapi({ description: 'Minor units of currency' }),
    currency: z.string().nullable(),
    duration: z.string().openapi({ description: 'once, repeating or forever' }),
    durationInMonths: z.number().int().nullable(),
    endsAt: z
      .string()
      .datetime()
      .nullable()
      .openapi({ description: 'When a repeating discount stops applying; null for once and forever' }),
  })
  .openapi('Discount');

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    plan: PlanIdSchema,
    status: SubscriptionStatusSchema,
    currency: CurrencySchema,
    unitAmount: z.number().int().openapi({ description: 'Price per interval in minor units' }),
    currentPeriodStart: Timestamp.nullable(),
    currentPeriodEnd: Timestamp.nullable(),
    cancelAtPeriodEnd: z.boolean(),
    pendingPlan: PlanIdSchema.nullable().openapi({ description: 'A downgrade that applies at period end' }),
    trialEnd: Timestamp.nullable(),
    defaultPaymentMethodId: z.string().nullable(),
    dunningAttempt: z.number().int(),
    graceEndsAt: Timestamp.nullable(),
    dunningPhase: z.enum(['retrying', 'action_required', 'grace']).nullable().openapi({
      description:
        'While a payment is failing: our retries are scheduled, the customer must authenticate, or grace until cancel',
    }),
    dunningNextActionAt: Timestamp.nullable().openapi({
      description: 'The dunning phase’s next date: the next retry, else the end of grace',
    }),
    paymentAction: PaymentActionSchema.nullable(),
    pendingUpgradePlan: PlanIdSchema.nullable().openapi({
      description: 'The plan an upgrade applies once its payment is authenticated',
    }),
    interval: BillingIntervalSchema,
    seats: z.number().int().openapi({ description: 'Seats bought beyond the plan’s included ones' }),
    addOns: z.record(z.string(), z.number().int()).openapi({ description: 'Packs held per add-on' }),
    scheduledChange: z
      .object({
        plan: PlanIdSchema,
        interval: BillingIntervalSchema,
        seats: z.number().int(),
        addOns: z.record(z.string(), z.number().int()),
        effectiveAt: Timestamp.nullable(),
      })
      .nullable()
      .openapi({ description: 'What the subscription renews on at effectiveAt (undo with resume)' }),
    pause: z
      .object({ behavior: z.enum(PAUSE_BEHAVIORS), resumesAt: Timestamp.nullable() })
      .nullable()
      .openapi({
        description:
          'While paused: with access or on free limits, until resumesAt (null = until DELETE /subscription/pause)',
      }),
    discount: DiscountSchema.nullable().openapi({
      description: 'The promotion code’s discount (POST /subscription/discount); null: none',
    }),
    contract: z
      .object({
        amount: z.number().int(),
        currency: CurrencySchema,
        interval: BillingIntervalSchema,
        limits: z.record(z.string(), z.number().int()),
        collection: z.object({ method: z.string(), daysUntilDue: z.number().int().optional() }),
      })
      .nullable()
      .openapi({ description: 'An enterprise contract assigned by an operator (price, limits, collection), or null' }),
    invoiceDue: z
      .object({ invoiceId: z.string(), amountDue: z.number().int(), currency: CurrencySchema, dueAt: Timestamp })
      .nullable()
      .openapi({ description: 'Collection by invoice: the invoice awaiting payment and its due date' }),
    canceledAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    updatedAt: Timestamp,
  })
  .openapi('Subscription');

export const SubscriptionEnvelope = z
  .object({
    subscription: SubscriptionSchema.nullable(),
    effectivePlan: PlanIdSchema.openapi({
      description: 'The plan whose entitlements apply now (free without a live subscription)',
    }),
  })
  .openapi('SubscriptionState');

export const PlanIdInput = PlanIdSchema.openapi({ description: 'Target plan; enterprise is assigned by an operator' });
export const PaymentMethodIdInput = z
  .string()
  .regex(/^pm_[A-Za-z0-9_]{1,120}$/, 'a Stripe PaymentMethod id (pm_…)')
  .openapi({ example: 'pm_card_visa' });
