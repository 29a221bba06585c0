import fc from 'fast-check';
import { transition, type Input, type SubscriptionState } from '../../../../src/domain/subscription';
import { actions, faults, policy, realTransition, simulate, type Transition } from './harness';
import { INVARIANTS, type Invariant } from './invariants';

// PROPERTY_RUNS scales the runs; fast-check prints the seed and path of a failure to reproduce it.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
jest.setTimeout(120_000);

function violation(transitionFn: Transition, invariant: Invariant, numRuns: number) {
  return fc.check(
    fc.asyncProperty(actions, faults, async (script, faultPlan) => {
      const found = invariant(await simulate(transitionFn, script, faultPlan));
      if (found) throw new Error(found);
    }),
    { numRuns },
  );
}

describe.each(Object.entries(INVARIANTS))('invariant %s', (_name, invariant) => {
  test('holds after every step of random commands, Stripe happenings, webhooks, deadlines and outages', async () => {
    const details = await violation(realTransition, invariant, RUNS);
    expect(
      details.failed ? `${details.errorInstance} (seed ${details.seed}, path ${details.counterexamplePath})` : null,
    ).toBeNull();
  });
});

const commandTypes = new Set(['subscribe', 'changePlan', 'cancel', 'resume', 'updatePaymentMethod', 'extendTrial']);

/** Each invariant catches the rule it guards being broken (a mutant of the core). */
const MUTANTS: [keyof typeof INVARIANTS, string, Transition][] = [
  [
    'noInvoiceAttemptPaidTwice',
    'every retry sends attempt 1',
    (s, i) => {
      const out = realTransition(s, i);
      return {
        ...out,
        effects: out.effects.map((e) =>
          e.kind === 'call' && e.call.name === 'payInvoice'
            ? { ...e, call: { ...e.call, input: { ...e.call.input, attempt: 1 } } }
            : e,
        ),
      };
    },
  ],
  [
    'canceledIsFinal',
    'commands are decided as if a canceled subscription were active',
    (s, i) => realTransition(commandTypes.has(i.type) && s.status === 'canceled' ? { ...s, status: 'active' } : s, i),
  ],
  [
    'deadlinesInTheFuture',
    'the final notice does not record that it was sent',
    (s, i) => {
      const out = realTransition(s, i);
      if (i.type !== 'deadline' || i.kind !== 'finalNotice' || !out.state.dunning) return out;
      return { ...out, state: { ...out.state, dunning: { ...out.state.dunning, finalNoticeSent: false } } };
    },
  ],
  [
    'statusDocumented',
    "Stripe's unpaid is taken verbatim",
    (s, i) => {
      const out = realTransition(s, i);
      return out.state.status === 'past_due'
        ? { ...out, state: { ...out.state, status: 'unpaid' as SubscriptionState['status'] } }
        : out;
    },
  ],
  [
    'keysMatchBusinessSteps',
    'steps are keyed without the Idempotency-Key',
    (s, i) => {
      const anonymous = 'updateId' in i ? ({ ...i, updateId: 'internal' } as Input) : i;
      return realTransition(s, anonymous);
    },
  ],
  [
    'noBlindRetryWhileActionRequired',
    'a payment waiting for authentication keeps its retry timetable',
    (s, i) => {
      const out = realTransition(s, i);
      const d = out.state.dunning;
      if (!d?.action || d.nextRetryAt !== null) return out;
      return {
        ...out,
        state: { ...out.state, dunning: { ...d, nextRetryAt: d.schedule.retryAt[d.scheduledRetriesDone] ?? null } },
      };
    },
  ],
];

test.each(MUTANTS)('invariant %s catches the mutant where %s', async (name, _description, mutant) => {
  const details = await violation(mutant, INVARIANTS[name], Math.max(RUNS, 1000));
  expect(details.failed).toBe(true);
});

test('the same inputs from the same state give the same effects (the same idempotency keys for the same business step)', async () => {
  await fc.assert(
    fc.asyncProperty(actions, faults, async (script, faultPlan) => {
      for (const step of await simulate(realTransition, script, faultPlan)) {
        expect(transition(step.before, step.input, policy)).toEqual({ state: step.after, effects: step.effects });
      }
    }),
    { numRuns: Math.ceil(RUNS / 4) },
  );
});
