import { links, type TemplateContext } from './context';
import { formatDate, formatPlan } from './format';
import type { EmailContent } from './layout';
import type { NotificationData } from './schemas';

const because: Record<NotificationData<'subscription_canceled'>['reason'], string> = {
  nonpayment: 'because the payment could not be collected',
  requested: 'as you requested',
  trial_ended_without_payment_method: 'because the trial ended without a payment method',
};

export function subscriptionCanceled(
  data: NotificationData<'subscription_canceled'>,
  ctx: TemplateContext,
): EmailContent {
  const plan = formatPlan(data.plan);
  return {
    subject: `Your ${plan} subscription has been canceled`,
    blocks: [
      `Your ${plan} subscription was canceled on ${formatDate(data.canceledAt)} ${because[data.reason]}.`,
      'Your organization is now on the Free plan. None of your data has been deleted, and you can subscribe again at any time.',
      { label: 'Choose a plan', url: links(ctx).billing },
    ],
  };
}
