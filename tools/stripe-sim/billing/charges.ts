import type Stripe from 'stripe';
import type { Sim } from '../sim';
import type { CardDecline } from './test-cards';

/**
 * The Charge behind one authorization attempt of a PaymentIntent (a subset of the fields a billing integration
 * reads), with its `charge.succeeded` / `charge.failed` event. A declined charge carries the decline as
 * `failure_code` and `outcome`; a Radar block has `outcome.type = blocked`.
 */
export function recordCharge(
  sim: Sim,
  pi: Stripe.PaymentIntent,
  pmId: string,
  at: number,
  failure: CardDecline | null,
): Stripe.Charge {
  const pm = sim.state.paymentMethods[pmId];
  const blocked = failure?.declineCode === 'fraudulent';
  const charge = {
    id: sim.id('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: failure ? 0 : pi.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: pm?.billing_details ?? { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'STRIPE SIMULATOR',
    captured: !failure,
    created: at,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: (failure?.adviceCode ?? null) as Stripe.Charge.Outcome.AdviceCode | null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: blocked ? 'not_sent_to_network' : failure ? 'declined_by_network' : 'approved_by_network',
      reason: failure?.declineCode ?? null,
      risk_level: blocked ? 'highest' : 'normal',
      seller_message: failure ? 'The bank did not return any further details with this decline.' : 'Payment complete.',
      type: blocked ? 'blocked' : failure ? 'issuer_declined' : 'authorized',
    },
    paid: !failure,
    payment_intent: pi.id,
    payment_method: pmId,
    payment_method_details: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failure ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  } satisfies Stripe.Charge;
  sim.state.charges[charge.id] = charge;
  sim.emit(failure ? 'charge.failed' : 'charge.succeeded', charge, at);
  return charge;
}
