import { links, type TemplateContext } from './context';
import { formatCount, formatDate, formatMetric } from './format';
import type { EmailContent } from './layout';
import type { NotificationData } from './schemas';

export function usageThreshold(data: NotificationData<'usage_threshold'>, ctx: TemplateContext): EmailContent {
  const metric = formatMetric(data.metric);
  const limit = formatCount(data.limit);
  const used = data.used === undefined ? '' : ` (${formatCount(data.used)} so far)`;
  const period = data.periodEnd ? ` The current period ends on ${formatDate(data.periodEnd)}.` : '';
  const reached = data.thresholdPercent === 100;
  return {
    subject: reached ? `You have reached your ${metric} limit` : `You have used 80% of your ${metric} limit`,
    blocks: [
      `Your organization has used ${data.thresholdPercent}% of its plan limit of ${limit} ${metric}${used}.${period}`,
      reached
        ? 'Further use may be limited or billed as overage, depending on your plan. Upgrading raises the limit.'
        : 'Nothing changes yet; this is an early warning so you can plan ahead or upgrade.',
      { label: 'Review usage and plans', url: links(ctx).usage },
    ],
  };
}
