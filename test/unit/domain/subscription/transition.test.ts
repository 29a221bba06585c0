import { resolveBillingPolicy } from '../../../../src/domain/billing-policy';
import {
  BillingErrorType,
  initialState,
  pendingDeadlines,
  refusal,
  transition,
  type Effect,
  type Input,
  type InvoiceSnapshot,
  type Output,
  type SubscriptionSnapshot,
  type SubscriptionState,
} from '../../../../src/domain/subscription';

const DAY = 86_400_000;
const policy = resolveBillingPolicy();
const T0 = Date.UTC(2027, 0, 1);

const step = (state: SubscriptionState, input: Input): Output => transition(state, input, policy);
const kinds = (effects: Effect[]) =>
  effects.map((e) =>
    e.kind === 'call' ? `call:${e.call.name}` : e.kind === 'notify' ? `notify:${e.notification.kind}` : e.kind,
  );
const callOf = (out: Output) => {
  const call = out.effects.find((e): e is Extract<Effect, { kind: 'call' }> => e.kind === 'call');
  if (!call) throw new Error(`no call in ${kinds(out.effects).join(',')}`);
  return call;
};
/** Answers the output's Stripe call with `value` at `now`. */
const answer = (out: Output, value: unknown, now: number): Output =>
  step(out.state, { type: 'result', of: callOf(out).then, value: value as never, now });

const invoice = (over: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot => ({
  id: 'in_1',
  status: 'open',
  amountDue: 2900,
  amountRemaining: 2900,
  currency: 'usd',
  attemptCount: 1,
  billingReason: 'subscription_cycle',
  finalizedAt: T0 + 30 * DAY,
  hostedInvoiceUrl: 'https://pay.example/in_1',
  lastPaymentError: {
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    adviceCode: null,
    message: 'insufficient funds',
  },
  ...over,
});
const snapshot = (over: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  id: 'sub_1',
  customerId: 'cus_1',
  organizationId: 'org_1',
  stripeStatus: 'active',
  plan: 'starter',
  unitAmount: 2900,
  currency: 'usd',
  currentPeriodStart: T0,
  currentPeriodEnd: T0 + 30 * DAY,
  trialEnd: null,
  cancelAtPeriodEnd: false,
  canceledAt: null,
  endedAt: null,
  defaultPaymentMethodId: 'pm_1',
  latestInvoice: null,
  ...over,
});

/** A subscribed, active starter subscription (subscribe → customer → card → created). */
function active(): SubscriptionState {
  let out = step(initialState('org_1'), {
    type: 'subscribe',
    args: { plan: 'starter', paymentMethodId: 'pm_1', skipTrial: true },
    updateId: 'k1',
    now: T0,
  });
  out = answer(out, { customerId: 'cus_1', testClockId: null }, T0);
  out = answer(out, { paymentMethodId: 'pm_1' }, T0);
  expect(callOf(out).call).toMatchObject({
    name: 'createSubscription',
    input: { plan: 'starter', trialDays: 0, paymentMethodId: 'pm_1', step: 'subscribe:k1' },
  });
  out = answer(out, snapshot(), T0);
  expect(kinds(out.effects)).toEqual(['publish', 'reply']);
  expect(out.state).toMatchObject({ status: 'active', stripeSubscriptionId: 'sub_1', stateVersion: 1 });
  return out.state;
}

/** The renewal's charge failed in Stripe; a webhook makes the policy look. */
function inDunning(): SubscriptionState {
  const renewedAt = T0 + 30 * DAY;
  let out = step(active(), {
    type: 'events',
    events: [{ eventId: 'evt_1', type: 'invoice.payment_failed', objectId: 'in_1', created: renewedAt / 1000 }],
    now: renewedAt,
  });
  out = answer(
    out,
    snapshot({
      stripeStatus: 'past_due',
      currentPeriodStart: renewedAt,
      currentPeriodEnd: renewedAt + 30 * DAY,
      latestInvoice: invoice(),
    }),
    renewedAt,
  );
  expect(kinds(out.effects)).toEqual(['notify:payment_failed', 'publish']);
  return out.state;
}

test('a failed renewal starts dunning: past_due, the first notice, retries from the invoice finalization, grace after the last', () => {
  const s = inDunning();
  expect(s).toMatchObject({
    status: 'past_due',
    rolloverPending: true,
    dunning: { invoiceId: 'in_1', failedAttempts: 1, severity: 'soft', nextRetryAt: T0 + 31 * DAY },
  });
  expect(pendingDeadlines(s, policy).map((d) => [d.kind, (d.at - T0) / DAY])).toEqual([
    ['dunningRetry', 31],
    ['finalNotice', 39],
    ['graceEnd', 40],
    ['backstop', 60 + 2 / 24],
  ]);
});

test('a declined retry counts the attempt, notifies, and a hard decline stops the automatic retries', () => {
  let out = step(inDunning(), { type: 'deadline', kind: 'dunningRetry', now: T0 + 31 * DAY });
  expect(callOf(out).call).toEqual({
    name: 'payInvoice',
    input: { invoiceId: 'in_1', attempt: 1, asOf: T0 + 31 * DAY },
  });
  out = answer(
    out,
    {
      outcome: 'declined',
      error: { code: 'card_declined', declineCode: 'stolen_card', adviceCode: null, message: 'x' },
      invoice: invoice(),
    },
    T0 + 31 * DAY,
  );
  expect(kinds(out.effects)).toEqual(['publish', 'notify:payment_failed']);
  expect(out.state.dunning).toMatchObject({
    failedAttempts: 2,
    severity: 'hard',
    nextRetryAt: null,
    payCalls: 1,
    scheduledRetriesDone: 1,
  });
});

test("a retry declined with Stripe's confirm_card_data advice stops the retries and hands the advice to the email", () => {
  let out = step(inDunning(), { type: 'deadline', kind: 'dunningRetry', now: T0 + 31 * DAY });
  out = answer(
    out,
    {
      outcome: 'declined',
      error: { code: 'incorrect_cvc', declineCode: 'incorrect_cvc', adviceCode: 'confirm_card_data', message: 'x' },
      invoice: invoice(),
    },
    T0 + 31 * DAY,
  );
  expect(out.state.dunning).toMatchObject({ severity: 'hard', nextRetryAt: null });
  const notify = out.effects.find((e) => e.kind === 'notify');
  expect(notify?.kind === 'notify' && notify.notification.data).toMatchObject({
    declineCode: 'incorrect_cvc',
    adviceCode: 'confirm_card_data',
    nextRetryAt: null,
  });
});

test('grace ends: one last look at the invoice, then cancel in Stripe, mark it uncollectible, and fall back to free', () => {
  const graceEnd = T0 + 40 * DAY;
  let out = step(inDunning(), { type: 'deadline', kind: 'graceEnd', now: graceEnd });
  expect(callOf(out).call.name).toBe('fetchInvoice');
  out = answer(out, invoice(), graceEnd);
  expect(callOf(out).call).toMatchObject({
    name: 'cancelSubscription',
    input: { subscriptionId: 'sub_1', step: 'grace_end:in_1' },
  });
  out = answer(out, snapshot({ stripeStatus: 'canceled' }), graceEnd);
  expect(callOf(out).call).toEqual({ name: 'markInvoiceUncollectible', input: { invoiceId: 'in_1' } });
  out = answer(out, invoice({ status: 'uncollectible' }), graceEnd);
  expect(kinds(out.effects)).toEqual(['log', 'publish', 'notify:subscription_canceled']);
  expect(out.state).toMatchObject({ status: 'canceled', plan: 'free', dunning: null, endedAt: graceEnd });
  expect(out.effects.find((e) => e.kind === 'notify')).toMatchObject({
    notification: { data: { reason: 'nonpayment', plan: 'starter' } },
  });
});

test('grace end finds the invoice paid elsewhere: dunning ends with the recovery email, and Stripe is asked again', () => {
  const graceEnd = T0 + 40 * DAY;
  let out = step(inDunning(), { type: 'deadline', kind: 'graceEnd', now: graceEnd });
  out = answer(out, invoice({ status: 'paid', amountRemaining: 0 }), graceEnd);
  expect(kinds(out.effects)).toEqual(['notify:payment_recovered', 'call:fetchSubscription']);
  out = answer(
    out,
    snapshot({
      currentPeriodStart: T0 + 30 * DAY,
      currentPeriodEnd: T0 + 60 * DAY,
      latestInvoice: invoice({ status: 'paid', amountRemaining: 0 }),
    }),
    graceEnd,
  );
  expect(out.state).toMatchObject({
    status: 'active',
    dunning: null,
    settledInvoiceId: 'in_1',
    deferDeadlinesUntil: null,
  });
});

test('a trial that ends in Stripe without a card ends the subscription with its own email', () => {
  const trialEnd = T0 + 14 * DAY;
  const trialing = { ...active(), status: 'trialing' as const, trialEnd, defaultPaymentMethodId: null };
  let out = step(trialing, { type: 'deadline', kind: 'backstop', now: trialEnd + 2 * 3_600_000 });
  out = answer(
    out,
    snapshot({
      stripeStatus: 'canceled',
      trialEnd,
      defaultPaymentMethodId: null,
      endedAt: trialEnd,
      canceledAt: trialEnd,
    }),
    trialEnd + 2 * 3_600_000,
  );
  expect(kinds(out.effects)).toEqual(['log', 'publish', 'notify:trial_ended_without_payment_method']);
  expect(out.state).toMatchObject({ status: 'canceled', plan: 'free', endedAt: trialEnd });
});

test('Stripe unreachable: an update is refused with StripeUnavailable, a deadline step defers the deadlines instead', () => {
  const s = inDunning();
  const now = T0 + 31 * DAY;
  const cancel = step(s, { type: 'cancel', args: { atPeriodEnd: false }, updateId: 'k2', now });
  const refused = step(cancel.state, {
    type: 'failed',
    of: callOf(cancel).then,
    error: { type: BillingErrorType.StripeUnavailable, message: 'down' },
    now,
  });
  expect(refused.effects).toEqual([{ kind: 'reject', error: { type: 'StripeUnavailable', message: 'down' } }]);

  const retry = step(s, { type: 'deadline', kind: 'dunningRetry', now });
  const deferred = step(retry.state, {
    type: 'failed',
    of: callOf(retry).then,
    error: { type: BillingErrorType.StripeUnavailable, message: 'down' },
    now,
  });
  expect(deferred.state.deferDeadlinesUntil).toBe(now + policy.sync.backstopRepeatMs);
  expect(pendingDeadlines(deferred.state, policy).every((d) => d.at >= now + policy.sync.backstopRepeatMs)).toBe(true);
});

test('a commit that would publish what was last published only bumps the version', () => {
  const s = active();
  const now = T0 + DAY;
  const out = answer(
    step(s, {
      type: 'events',
      events: [{ eventId: 'evt_9', type: 'customer.subscription.updated', objectId: 'sub_1', created: 0 }],
      now,
    }),
    snapshot(),
    now,
  );
  expect(kinds(out.effects)).toEqual([]);
  expect(out.state.stateVersion).toBe(s.stateVersion + 1);
});

describe('enterprise contracts collected by invoice', () => {
  const contract = {
    amount: 500_000,
    currency: 'usd' as const,
    interval: 'month' as const,
    limits: { users: 50 },
    collection: { method: 'send_invoice' as const, daysUntilDue: 14 },
  };
  const sentInvoice = (finalizedAt: number) =>
    invoice({
      status: 'open',
      amountDue: 500_000,
      amountRemaining: 500_000,
      attemptCount: 0,
      billingReason: 'subscription_create',
      finalizedAt,
      lastPaymentError: null,
      dueDate: finalizedAt + 14 * DAY,
    });
  const assigned = (finalizedAt: number) => {
    let out = step(initialState('org_1'), {
      type: 'assignContract',
      args: { contract },
      updateId: 'c1',
      now: T0,
    });
    out = answer(out, { customerId: 'cus_1', testClockId: null }, T0);
    expect(callOf(out).call).toMatchObject({ name: 'createContractSubscription', input: { step: 'contract:c1' } });
    return answer(
      out,
      snapshot({
        plan: 'enterprise',
        unitAmount: 500_000,
        defaultPaymentMethodId: null,
        collectionMethod: 'send_invoice',
        latestInvoice: sentInvoice(finalizedAt),
      }),
      T0,
    );
  };

  test('the invoice is awaited on its due date, with a reminder three days before it and the overdue check on it', () => {
    const out = assigned(T0);
    expect(out.state).toMatchObject({ plan: 'enterprise', status: 'active', contract, dunning: null });
    expect(out.state.invoiceDue).toMatchObject({ invoiceId: 'in_1', dueAt: T0 + 14 * DAY, remindedBefore: false });
    expect(pendingDeadlines(out.state, policy).slice(0, 2)).toEqual([
      { kind: 'invoiceReminder', at: T0 + 11 * DAY },
      { kind: 'invoiceOverdue', at: T0 + 14 * DAY },
    ]);
  });

  test('Stripe running ahead (a test clock) does not shorten the net terms on the workflow’s clock', () => {
    const out = assigned(T0 + 40 * DAY);
    expect(out.state.invoiceDue?.dueAt).toBe(T0 + 14 * DAY);
  });

  test('a contract is refused on a live subscription, and a malformed one before anything is asked of Stripe', () => {
    const refused = step(active(), { type: 'assignContract', args: { contract }, updateId: 'c2', now: T0 });
    expect(refused.effects).toEqual([
      expect.objectContaining({
        kind: 'reject',
        error: expect.objectContaining({ type: BillingErrorType.PlanChangeNotAllowed }),
      }),
    ]);
    const malformed = step(initialState('org_2'), {
      type: 'assignContract',
      args: { contract: { ...contract, limits: { users: 1.5 } } },
      updateId: 'c3',
      now: T0,
    });
    expect(malformed.effects).toEqual([
      expect.objectContaining({
        kind: 'reject',
        error: expect.objectContaining({ type: BillingErrorType.InvalidRequest }),
      }),
    ]);
  });

  // Runs with the patch contract-moves: a live subscription moves onto a contract.
  const moving = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
    ...active(),
    contractMoves: true,
    ...over,
  });
  const refusedWith = (state: SubscriptionState, args = { contract }) => {
    const out = step(state, { type: 'assignContract', args, updateId: 'm1', now: T0 + 10 * DAY });
    expect(kinds(out.effects)).toEqual(['reject']);
    return (out.effects[0] as Extract<Effect, { kind: 'reject' }>).error;
  };

  test('a live subscription moves onto a contract: the contract’s subscription first, then the old one canceled with its unused time refunded, its row ended', () => {
    const now = T0 + 10 * DAY;
    let out = step(moving(), { type: 'assignContract', args: { contract }, updateId: 'm1', now });
    // Same customer, no new one; nothing changes until Stripe has the contract's subscription.
    expect(callOf(out).call).toEqual({
      name: 'createContractSubscription',
      input: { organizationId: 'org_1', customerId: 'cus_1', contract, step: 'contract:m1', asOf: now },
    });
    expect(out.state).toMatchObject({ plan: 'starter', stripeSubscriptionId: 'sub_1' });
    const created = snapshot({
      id: 'sub_2',
      plan: 'enterprise',
      unitAmount: 500_000,
      currentPeriodStart: now,
      currentPeriodEnd: now + 31 * DAY,
      defaultPaymentMethodId: null,
      collectionMethod: 'send_invoice',
      latestInvoice: { ...sentInvoice(now), id: 'in_2' },
    });
    out = answer(out, created, now);
    expect(callOf(out).call).toEqual({
      name: 'cancelSubscription',
      input: { subscriptionId: 'sub_1', step: 'contract_replaced:m1', asOf: now, refundUnusedTime: true },
    });
    out = answer(out, snapshot({ stripeStatus: 'canceled', canceledAt: now, endedAt: now }), now);
    expect(kinds(out.effects)).toEqual(['publish', 'publish', 'reply']);
    const [ended, current] = out.effects as Extract<Effect, { kind: 'publish' }>[];
    expect(ended!.subscription).toMatchObject({
      stripeSubscriptionId: 'sub_1',
      plan: 'starter',
      status: 'canceled',
      endedAt: now,
    });
    expect(current!.subscription).toMatchObject({
      stripeSubscriptionId: 'sub_2',
      plan: 'enterprise',
      status: 'active',
    });
    expect(current!.stateVersion).toBeGreaterThan(ended!.stateVersion);
    expect(out.state).toMatchObject({
      stripeSubscriptionId: 'sub_2',
      plan: 'enterprise',
      contract,
      currentPeriodEnd: now + 31 * DAY,
      rolloverPending: false,
    });
    expect(out.state.invoiceDue).toMatchObject({ invoiceId: 'in_2', dueAt: now + 14 * DAY });
    // The old subscription's own events no longer concern the run.
    const later = step(out.state, {
      type: 'events',
      events: [{ eventId: 'evt_old', type: 'customer.subscription.deleted', objectId: 'sub_1', created: now / 1000 }],
      now,
    });
    expect(later.effects).toEqual([]);
  });

  test('a contract Stripe refuses leaves the old subscription as it was; one whose old subscription cannot be canceled stands, and says so', () => {
    const now = T0 + 10 * DAY;
    const asked = step(moving(), { type: 'assignContract', args: { contract }, updateId: 'm1', now });
    const declined = step(asked.state, {
      type: 'failed',
      of: callOf(asked).then,
      error: { type: BillingErrorType.CardDeclined, message: 'declined' },
      now,
    });
    expect(kinds(declined.effects)).toEqual(['reject']);
    expect(declined.state).toMatchObject({ plan: 'starter', stripeSubscriptionId: 'sub_1', status: 'active' });

    const created = answer(asked, snapshot({ id: 'sub_2', plan: 'enterprise', unitAmount: 500_000 }), now);
    const stuck = step(created.state, {
      type: 'failed',
      of: callOf(created).then,
      error: { type: BillingErrorType.StripeUnavailable, message: 'Stripe down' },
      now,
    });
    expect(kinds(stuck.effects)).toEqual(['log', 'publish', 'reply']);
    expect(stuck.effects[0]).toMatchObject({ level: 'warn', attributes: { replaced: 'sub_1' } });
    expect(stuck.state).toMatchObject({ stripeSubscriptionId: 'sub_2', plan: 'enterprise', contract });
  });

  test('a move is refused with a reason while a payment is owed, paused, an upgrade waits, in another currency, or already on a contract; runs before the patch refuse every move', () => {
    expect(refusedWith(moving({ status: 'past_due' })).message).toMatch(/unpaid invoice/);
    expect(refusedWith(moving({ status: 'paused' })).message).toMatch(/resume it first/);
    expect(refusedWith(moving({ status: 'incomplete' })).type).toBe(BillingErrorType.PlanChangeNotAllowed);
    expect(
      refusedWith(moving({ pendingUpgrade: { plan: 'pro', invoiceId: 'in_9', expiresAt: T0 + 11 * DAY } as never }))
        .type,
    ).toBe(BillingErrorType.PendingChangeExists);
    expect(refusedWith(moving(), { contract: { ...contract, currency: 'eur' as never } }).message).toMatch(
      /billed in USD .* must be in usd/,
    );
    expect(refusedWith(moving({ contract })).message).toMatch(/already on a contract/);
    expect(refusedWith(moving({ contractMoves: false })).message).toMatch(/cancel it before/);
    // The update validator asks the same question before anything reaches history.
    expect(
      refusal(moving({ status: 'past_due' }), { type: 'assignContract', args: { contract }, updateId: 'm2' }),
    ).toMatchObject({ type: BillingErrorType.PlanChangeNotAllowed });
  });

  test('Stripe’s invoice.overdue for the awaited invoice starts the overdue notice and grace now; before the patch, for another invoice, or once overdue it only re-reads', () => {
    const base = assigned(T0).state;
    const at = T0 + 2 * DAY; // Stripe's clock ran ahead of the workflow's (a test clock)
    const overdueEvent = (state: SubscriptionState, objectId = 'in_1') =>
      step(state, {
        type: 'events',
        events: [{ eventId: `evt_${objectId}`, type: 'invoice.overdue', objectId, created: at / 1000 }],
        now: at,
      });
    const asked = overdueEvent({ ...base, contractMoves: true });
    expect(callOf(asked).call).toMatchObject({ name: 'fetchInvoice', input: { invoiceId: 'in_1' } });
    const out = answer(asked, sentInvoice(T0), at);
    expect(kinds(out.effects)).toEqual(['notify:invoice_payment_due', 'publish']);
    expect(out.effects[0]).toMatchObject({
      notification: {
        dedupeKey: 'invoice_payment_due:in_1:overdue',
        data: { overdue: true, dueAt: new Date(at).toISOString() },
      },
    });
    expect(out.state.status).toBe('past_due');
    // Grace counts from now, not from the due date 12 days away on the workflow's clock.
    expect(out.state.dunning?.firstFailureAt).toBe(at);
    expect(pendingDeadlines(out.state, policy).map((d) => d.kind)).toContain('graceEnd');

    expect(callOf(overdueEvent(base)).call.name).toBe('fetchSubscription');
    expect(callOf(overdueEvent({ ...base, contractMoves: true }, 'in_other')).call.name).toBe('fetchSubscription');
    expect(callOf(overdueEvent(out.state)).call.name).toBe('fetchSubscription');
  });
});

test('an immediate cancel carries the refund policy to Stripe; at period end and without the policy nothing is refunded; an unknown policy is refused', () => {
  const now = T0 + 10 * DAY;
  const cancelWith = (args: { atPeriodEnd: boolean; refund?: string }) =>
    step(active(), { type: 'cancel', args: args as never, updateId: 'k9', now });

  const refunding = callOf(cancelWith({ atPeriodEnd: false, refund: 'prorated' }));
  expect(refunding.call).toEqual({
    name: 'cancelSubscription',
    input: { subscriptionId: 'sub_1', step: 'cancel:k9', asOf: now, refundUnusedTime: true },
  });
  expect(callOf(cancelWith({ atPeriodEnd: false })).call.input).not.toHaveProperty('refundUnusedTime');
  expect(callOf(cancelWith({ atPeriodEnd: false, refund: 'none' })).call.input).not.toHaveProperty('refundUnusedTime');
  expect(callOf(cancelWith({ atPeriodEnd: true, refund: 'prorated' })).call.name).toBe('setCancelAtPeriodEnd');
  // A contract's terms were negotiated: the self-serve refund policy is not for it.
  const contract = {
    amount: 500_000,
    currency: 'usd',
    interval: 'month',
    limits: {},
    collection: { method: 'charge_automatically' },
  };
  const onContract = step({ ...active(), plan: 'enterprise', contract } as SubscriptionState, {
    type: 'cancel',
    args: { atPeriodEnd: false, refund: 'prorated' },
    updateId: 'k10',
    now,
  });
  expect(callOf(onContract).call.input).not.toHaveProperty('refundUnusedTime');
  expect(cancelWith({ atPeriodEnd: false, refund: 'everything' }).effects).toEqual([
    { kind: 'reject', error: { type: 'InvalidRequest', message: 'refund must be one of none, prorated' } },
  ]);
});

describe('the subscribe currency', () => {
  const subscribeWith = (args: Record<string, unknown>) => {
    let out = step(initialState('org_1'), {
      type: 'subscribe',
      args: { plan: 'starter', paymentMethodId: 'pm_1', skipTrial: true, ...args },
      updateId: 'k1',
      now: T0,
    });
    out = answer(out, { customerId: 'cus_1', testClockId: null }, T0);
    out = answer(out, { paymentMethodId: 'pm_1' }, T0);
    return callOf(out).call;
  };

  test('is passed to Stripe only when asked for, so inputs recorded before EUR are unchanged', () => {
    expect(subscribeWith({ currency: 'eur' })).toMatchObject({
      name: 'createSubscription',
      input: { currency: 'eur' },
    });
    const plain = subscribeWith({});
    expect(plain.name).toBe('createSubscription');
    expect('currency' in plain.input).toBe(false);
  });

  test('other than usd or eur is refused before anything reaches history', () => {
    const cmd = (currency: unknown) =>
      ({ type: 'subscribe', args: { plan: 'starter', paymentMethodId: 'pm_1', currency }, updateId: 'k1' }) as never;
    expect(refusal(initialState('org_1'), cmd('gbp'))).toMatchObject({
      type: BillingErrorType.InvalidRequest,
      message: 'currency: usd or eur',
    });
    expect(refusal(initialState('org_1'), cmd('EUR'))).not.toBeNull();
    expect(refusal(initialState('org_1'), cmd('eur'))).toBeNull();
  });
});
