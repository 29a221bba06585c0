import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { resolveBillingPolicy } from '../../../../src/domain/billing-policy';
import { PLAN_IDS } from '../../../../src/domain/plans';
import {
  BillingErrorType,
  initialState,
  pendingDeadlines,
  STRIPE_READS,
  transition,
  type BillingErrorType as ErrorType,
  type Command,
  type Effect,
  type Input,
  type Output,
  type StripeCall,
  type StripeEventSignal,
  type SubscriptionState,
} from '../../../../src/domain/subscription';
import { AUTH_CARD, DAY, FakeStripe } from '../../../workflow/helpers/fake-stripe';

/**
 * Drives the policy core the way the workflow does (each Stripe call answered and fed back), against the fake
 * Stripe of the workflow tests, with Stripe-side happenings, webhooks (duplicated, reordered, stale), deadlines
 * and Stripe outages drawn by fast-check. Every transition is recorded for the invariants.
 */
export const policy = resolveBillingPolicy();
export const ORG = 'org-prop';

export type Transition = (state: SubscriptionState, input: Input) => Output;
const START = Date.UTC(2027, 0, 1);
export const realTransition: Transition = (state, input) => transition(state, input, policy);

export type Action =
  | { kind: 'command'; command: Command }
  | {
      kind: 'stripe';
      happening:
        | 'cardDeclines'
        | 'cardWorks'
        | 'cardNeedsAuthentication'
        | 'customerAuthenticates'
        | 'paidElsewhere'
        | 'canceledInStripe'
        | 'pausedInDashboard';
    }
  | { kind: 'events'; types: string[]; duplicate: boolean; reorder: boolean }
  | { kind: 'deadline' }
  | { kind: 'wait'; ms: number };

/** One answered step: the input the policy got, the state before and after, and what it asked for. */
export interface Recorded {
  /** The command, webhook batch or deadline that started this chain; a chain's steps share it. */
  root: number;
  rootCommand: Command | null;
  input: Input;
  before: SubscriptionState;
  after: SubscriptionState;
  effects: Effect[];
}

const plan = fc.constantFrom(...PLAN_IDS);
const card = fc.constantFrom('pm_ok', 'pm_insufficient_funds', 'pm_stolen_card', AUTH_CARD);

/**
 * The API keeps an Idempotency-Key to one request (src/api/middleware/idempotency.ts), so the update id is derived
 * from the request: an identical request may come again with the same key (a client retry reaching a later run),
 * a different one never shares it.
 */
type Request = Command extends infer C ? (C extends { updateId: string } ? Omit<C, 'updateId'> : C) : never;
const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({
    type: fc.constant('subscribe' as const),
    args: fc.record({ plan, paymentMethodId: fc.option(card, { nil: undefined }), skipTrial: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('changePlan' as const),
    args: fc.record({ plan }),
    actor: fc.constantFrom('customer' as const, 'operator' as const),
  }),
  fc.record({ type: fc.constant('cancel' as const), args: fc.record({ atPeriodEnd: fc.boolean() }) }),
  fc.record({ type: fc.constant('resume' as const) }),
  fc.record({ type: fc.constant('updatePaymentMethod' as const), args: fc.record({ paymentMethodId: card }) }),
  fc.record({ type: fc.constant('previewPlanChange' as const), args: fc.record({ plan }) }),
  fc.record({
    type: fc.constant('pause' as const),
    args: fc.record({
      behavior: fc.constantFrom('keep_access' as const, 'no_access' as const),
      // Absolute dates from the harness's start: early ones are in the past by the time they are sent.
      resumesAt: fc.option(
        fc.integer({ min: 1, max: 120 }).map((days) => START + days * DAY),
        { nil: undefined },
      ),
    }),
  }),
  fc.record({ type: fc.constant('unpause' as const) }),
);
const command: fc.Arbitrary<Command> = fc
  .tuple(request, fc.nat(1))
  .map(([r, copy]) =>
    r.type === 'previewPlanChange' ? r : ({ ...r, updateId: `${JSON.stringify(r)}#${copy}` } as Command),
  );

const EVENT_TYPES = [
  'customer.subscription.updated',
  'invoice.payment_failed',
  'invoice.paid',
  'customer.subscription.trial_will_end',
  'customer.subscription.deleted',
];

/** Most runs begin with a subscribe that can succeed, so the later steps have a subscription to act on. */
const firstSubscribe: fc.Arbitrary<Action> = fc
  .record({
    plan: fc.constantFrom('starter' as const, 'professional' as const),
    paymentMethodId: fc.option(fc.constantFrom('pm_ok', 'pm_ok', 'pm_insufficient_funds'), { nil: undefined, freq: 8 }),
    skipTrial: fc.boolean(),
  })
  .map((args) => ({ kind: 'command', command: { type: 'subscribe', args, updateId: 'u0' } }));

const later: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: command.map((c) => ({ kind: 'command' as const, command: c })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          'cardDeclines',
          'cardWorks',
          'cardNeedsAuthentication',
          'customerAuthenticates',
          'paidElsewhere',
          'canceledInStripe',
          'pausedInDashboard',
        )
        .map((h) => ({ kind: 'stripe' as const, happening: h as 'cardDeclines' })),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('events' as const),
        types: fc.subarray(EVENT_TYPES, { minLength: 1 }),
        duplicate: fc.boolean(),
        reorder: fc.boolean(),
      }),
    },
    { weight: 6, arbitrary: fc.constant({ kind: 'deadline' as const }) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 1, max: 35 }).map((days) => ({ kind: 'wait' as const, ms: days * DAY })),
    },
  ),
  { minLength: 1, maxLength: 40 },
);

export const actions: fc.Arbitrary<Action[]> = fc
  .tuple(fc.option(firstSubscribe, { freq: 8 }), later)
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

/** Per Stripe call: fail as an outage after retries, or (reads only) answer with an older snapshot. */
export const faults = fc.array(fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'outage', 'stale'), {
  minLength: 64,
  maxLength: 64,
});

export async function simulate(transitionFn: Transition, script: Action[], faultPlan: string[]): Promise<Recorded[]> {
  const stripe = new FakeStripe();
  const api = stripe.activities() as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  const recorded: Recorded[] = [];
  const staleReads = new Map<string, unknown>();
  // Runs since the subscription-pause patch accept pauses and read Stripe's pauses.
  let state: SubscriptionState = { ...initialState(ORG), pauses: true };
  let now = START;
  let callNo = 0;
  let eventNo = 0;
  const delivered: StripeEventSignal[] = [];

  async function answer(
    call: StripeCall,
  ): Promise<{ ok: true; value: unknown } | { ok: false; type: ErrorType; message: string }> {
    const fault = faultPlan[callNo++ % faultPlan.length];
    if (fault === 'outage')
      return { ok: false, type: BillingErrorType.StripeUnavailable, message: 'Stripe unavailable' };
    const readKey = `${call.name}:${JSON.stringify(call.input).replace(/"asOf":\d+/, '')}`;
    if (fault === 'stale' && STRIPE_READS.has(call.name) && staleReads.has(readKey))
      return { ok: true, value: staleReads.get(readKey) };
    try {
      const value = await api[call.name]!(call.input);
      if (STRIPE_READS.has(call.name)) staleReads.set(readKey, value);
      return { ok: true, value };
    } catch (err) {
      if (!(err instanceof ApplicationFailure)) throw err;
      return { ok: false, type: (err.type as ErrorType) ?? BillingErrorType.StripeUnavailable, message: err.message };
    }
  }

  async function run(first: Input, root: number, rootCommand: Command | null): Promise<void> {
    let input: Input | undefined = first;
    while (input) {
      const before = state;
      const output = transitionFn(state, input);
      state = output.state;
      recorded.push({ root, rootCommand, input, before, after: state, effects: output.effects });
      const call = output.effects.find((e): e is Extract<Effect, { kind: 'call' }> => e.kind === 'call');
      if (!call) return;
      const answered = await answer(call.call);
      input = answered.ok
        ? { type: 'result', of: call.then, value: answered.value as never, now }
        : { type: 'failed', of: call.then, error: { type: answered.type, message: answered.message }, now };
    }
  }

  for (const [root, action] of script.entries()) {
    switch (action.kind) {
      case 'command':
        await run({ ...action.command, now }, root, action.command);
        break;
      case 'stripe': {
        const subscriptionId = state.stripeSubscriptionId;
        const sub = subscriptionId ? stripe.subscriptions.get(subscriptionId) : undefined;
        if (!sub || sub.status === 'canceled') break;
        if (action.happening === 'cardDeclines') stripe.setCardBehaviour(sub.id, 'pm_insufficient_funds');
        if (action.happening === 'cardWorks') stripe.setCardBehaviour(sub.id, 'pm_ok');
        if (action.happening === 'cardNeedsAuthentication') stripe.setCardBehaviour(sub.id, AUTH_CARD);
        const latest = sub.latestInvoiceId ? stripe.invoices.get(sub.latestInvoiceId) : undefined;
        if (action.happening === 'paidElsewhere' && latest?.status === 'open') stripe.payOutOfBand(latest.id);
        if (action.happening === 'customerAuthenticates' && latest?.status === 'open' && latest.requiresAction)
          stripe.authenticate(latest.id, 'succeed');
        if (action.happening === 'pausedInDashboard') stripe.pauseInDashboard(sub.id, 'void');
        if (action.happening === 'canceledInStripe')
          Object.assign(sub, { status: 'canceled', endedAt: now, canceledAt: now });
        break;
      }
      case 'events': {
        const objectId = state.stripeSubscriptionId ?? 'sub_unknown';
        const fresh = action.types.map((type) => ({
          eventId: `evt_${++eventNo}`,
          type,
          objectId,
          created: Math.floor(now / 1000),
        }));
        let batch = [...fresh, ...(action.duplicate ? delivered.slice(-2) : [])];
        if (action.reorder) batch = batch.reverse();
        delivered.push(...fresh);
        // The workflow drops event ids it has seen (rememberEvent) before the policy sees the batch.
        const seen = new Set(state.seenEventIds);
        const unseen = batch.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
        state = {
          ...state,
          seenEventIds: [...state.seenEventIds, ...unseen.map((e) => e.eventId)].slice(-policy.seenEventLimit),
        };
        if (unseen.length > 0) await run({ type: 'events', events: unseen, now }, root, null);
        break;
      }
      case 'deadline': {
        const next = pendingDeadlines(state, policy)[0];
        if (!next) break;
        now = Math.max(now, next.at);
        await run({ type: 'deadline', kind: next.kind, now }, root, null);
        break;
      }
      case 'wait':
        now += action.ms;
        break;
    }
  }
  return recorded;
}
