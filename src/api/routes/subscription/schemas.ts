import { z } from '@hono/zod-openapi';
import { PLAN_IDS } from '../../../domain/plans';

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    plan: z.string(),
    status: z.string().openapi({ description: 'trialing | active | past_due | canceled | incomplete | …' }),
    currency: z.string(),
    unitAmount: z.number().int().openapi({ description: 'Price per interval in minor units' }),
    currentPeriodStart: z.string().nullable(),
    currentPeriodEnd: z.string().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    pendingPlan: z.string().nullable().openapi({ description: 'A downgrade that applies at period end' }),
    trialEnd: z.string().nullable(),
    defaultPaymentMethodId: z.string().nullable(),
    dunningAttempt: z.number().int(),
    graceEndsAt: z.string().nullable(),
    canceledAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Subscription');

export const SubscriptionEnvelope = z
  .object({
    subscription: SubscriptionSchema.nullable(),
    effectivePlan: z.enum(PLAN_IDS).openapi({ description: 'The plan whose entitlements apply now (free without a live subscription)' }),
  })
  .openapi('SubscriptionState');

export const PlanIdInput = z.enum(PLAN_IDS).openapi({ description: 'Target plan; enterprise is assigned by an operator' });
export const PaymentMethodIdInput = z
  .string()
  .regex(/^pm_[A-Za-z0-9_]{1,120}$/, 'a Stripe PaymentMethod id (pm_…)')
  .openapi({ example: 'pm_card_visa' });
