import { links, type TemplateContext } from './context';
import { formatDate, formatPlan } from './format';
import type { EmailContent } from './layout';
import type { NotificationData } from './schemas';

export function trialEnding(data: NotificationData<'trial_ending'>, ctx: TemplateContext): EmailContent {
  const plan = formatPlan(data.plan);
  const ends = formatDate(data.trialEndsAt);
  return {
    subject: `Your ${plan} trial ends on ${ends}`,
    blocks: data.hasPaymentMethod
      ? [
          `Your free trial of the ${plan} plan ends on ${ends}.`,
          'Your subscription will continue automatically and the card on file will be charged then. Nothing else to do.',
          { label: 'Review your plan', url: links(ctx).billing },
        ]
      : [
          `Your free trial of the ${plan} plan ends on ${ends}.`,
          `To keep the ${plan} features after that day, add a payment method before the trial ends.`,
          { label: 'Add a payment method', url: links(ctx).paymentMethod },
        ],
  };
}

export function trialEnded(
  data: NotificationData<'trial_ended_without_payment_method'>,
  ctx: TemplateContext,
): EmailContent {
  const plan = formatPlan(data.plan);
  return {
    subject: `Your ${plan} trial has ended`,
    blocks: [
      `Your free trial of the ${plan} plan ended on ${formatDate(data.trialEndedAt)} and there is no payment method on file, so the subscription did not start.`,
      `Add a payment method to continue with the ${plan} plan. Your data is kept either way.`,
      { label: 'Add a payment method', url: links(ctx).paymentMethod },
    ],
  };
}
