import type { ContractInput } from '../api-client';
import { DAY_MS } from '../clock-driver';
import { day, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv } from './types';

/** Vandelay's contract: $2,500.00 a month, paid by invoice within 30 days; 25 users, 10 agents, messages unlimited. */
export const VANDELAY_CONTRACT = {
  amount: 250_000,
  currency: 'usd',
  interval: 'month',
  limits: { users: 25, agents: 10, messages: -1 },
  collection: { method: 'send_invoice', daysUntilDue: 30 },
} as const satisfies ContractInput;

/** When in the net terms the transfer arrives (Stripe's time, on the organization's test clock). */
const PAID_AFTER_DAYS = 20;

const limitText = (limit: number | null): string => (limit === null ? 'unlimited' : String(limit));

/**
 * Vandelay: an enterprise customer that never subscribes with a card. An operator assigns a negotiated contract
 * (custom price and limits, collection by invoice on net-30 terms); Stripe sends the invoice, the limits apply at
 * once, and the customer pays by bank transfer, which the finance team records on Stripe (paid out of band).
 */
export function vandelayChapter(org: DemoOrg, env: StoryEnv): Chapter {
  let invoiceId = '';
  return {
    org,
    premise:
      'Enterprise contract by an operator, no card: $2,500.00/month on net-30 invoices, custom limits → invoice sent → paid by transfer',
    gaps: [],
    steps: [
      {
        title: 'an operator assigns a net-30 contract',
        async run() {
          if (!env.admin) throw new Error('no admin token (set ADMIN_TOKENS for the API and the demo)');
          const { subscription } = await env.admin.assignContract(org.organizationId, {
            ...VANDELAY_CONTRACT,
            email: org.email,
          });
          await org.clock.attach();
          if (subscription?.plan !== 'enterprise' || subscription.contract?.collection.method !== 'send_invoice')
            throw new Error(
              `expected an enterprise subscription collected by invoice, got ${JSON.stringify(subscription)}`,
            );
          return `POST /admin/organizations/${org.organizationId}/contract ${usd(VANDELAY_CONTRACT.amount)}/${VANDELAY_CONTRACT.interval}, net ${VANDELAY_CONTRACT.collection.daysUntilDue} → ${subscription.plan}, ${subscription.status} · no card on file`;
        },
      },
      {
        title: 'the invoice is sent, the limits apply',
        async run() {
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: the contract's first invoice open with its hosted link`,
            (i) => i.status === 'open' && Boolean(i.hostedInvoiceUrl),
          );
          invoiceId = invoice.stripeInvoiceId;
          const stripeInvoice = await env.stripe.invoices.retrieve(invoiceId);
          if (stripeInvoice.collection_method !== 'send_invoice' || stripeInvoice.due_date == null)
            throw new Error(
              `expected Stripe to send invoice ${invoiceId} with a due date, got collection_method ${stripeInvoice.collection_method}, due_date ${stripeInvoice.due_date}`,
            );
          const state = await waitForReadModel(
            org,
            'the invoice awaited in GET /subscription',
            (s) => s.subscription?.invoiceDue?.invoiceId === invoiceId,
          );
          const entitlements = await org.api.getEntitlements();
          const limits = Object.fromEntries(entitlements.metrics.map((m) => [m.metric, m.limit]));
          const wanted = { users: 25, agents: 10, messages: null };
          for (const [metric, limit] of Object.entries(wanted)) {
            if (limits[metric] !== limit)
              throw new Error(
                `GET /entitlements: ${metric} limit ${limitText(limits[metric] ?? null)}, not ${limitText(limit)}`,
              );
          }
          const eleventh = await org.api.checkEntitlement('agents', 11);
          if (eleventh.allowed) throw new Error('POST /entitlements/check allowed 11 agents on a contract of 10');
          return (
            `${usd(invoice.amountDue)} open, due ${day(stripeInvoice.due_date * 1000)} (${state.subscription?.status}, nothing charged) → ${invoice.hostedInvoiceUrl ?? ''}` +
            ` · GET /entitlements ${entitlements.plan}: users ${limitText(limits.users ?? null)}, agents ${limitText(limits.agents ?? null)}, messages ${limitText(limits.messages ?? null)} · 11 agents refused`
          );
        },
      },
      {
        title: 'pays by bank transfer',
        async run() {
          await org.clock.advanceBy(PAID_AFTER_DAYS * DAY_MS);
          // The hosted page of the simulator takes no payments: the transfer is recorded as Stripe documents it.
          const paid = await env.stripe.invoices.pay(invoiceId, { paid_out_of_band: true });
          const state = await waitForReadModel(
            org,
            'active with nothing awaited after the transfer',
            (s) => s.subscription?.status === 'active' && s.subscription.invoiceDue == null,
          );
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: the contract's invoice paid`,
            (i) => i.stripeInvoiceId === invoiceId && i.status === 'paid',
          );
          return `day ${PAID_AFTER_DAYS} of 30: transfer recorded on Stripe (invoices.pay paid_out_of_band → ${paid.status}) → ${usd(invoice.amountPaid)} paid · ${state.subscription?.status} on ${state.effectivePlan}, nothing due`;
        },
      },
    ],
    expected: () => ({
      effectivePlan: 'enterprise',
      status: 'active',
      paidInvoices: 1,
      unpaidInvoices: 0,
      emails: {},
    }),
  };
}
