import { formatMoney as formatDomainMoney, money } from '../../domain/money';

export function formatMoney(minorUnits: number, currency: string): string {
  return formatDomainMoney(money(minorUnits, currency));
}

// Built once: constructing an Intl formatter costs far more than formatting with one, and usage
// threshold emails are rendered on the ingestion path.
const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
const countFormat = new Intl.NumberFormat('en-US');

/** Billing deadlines are absolute instants; customers read them as a UTC calendar day. */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

export function formatPlan(plan: string): string {
  return `${plan.charAt(0).toUpperCase()}${plan.slice(1)}`;
}

const metricLabels: Record<string, string> = {
  messages: 'messages',
  api_calls: 'API calls',
  storage: 'storage (MB)',
  agents: 'agents',
  users: 'seats',
};

export function formatMetric(metric: string): string {
  return metricLabels[metric] ?? metric;
}

export function formatCount(value: number): string {
  return countFormat.format(value);
}
