import { currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { refusal, rememberEvent, toView, type Command } from '../domain/subscription';
import { interpret, toApplicationFailure, type Run } from './interpreter';
import {
  assignContractUpdate,
  assignPlanUpdate,
  cancelUpdate,
  changePlanUpdate,
  createSetupIntentUpdate,
  extendTrialUpdate,
  getStateQuery,
  pauseUpdate,
  applyDiscountUpdate,
  removeDiscountUpdate,
  type ApplyDiscountArgs,
  previewPlanChangeUpdate,
  resumeUpdate,
  stripeEventSignal,
  stripeEventsSignal,
  subscribeUpdate,
  updateBillingProfileUpdate,
  unpauseUpdate,
  updatePaymentMethodUpdate,
  type AssignContractArgs,
  type BillingProfile,
  type CancelArgs,
  type ChangePlanArgs,
  type ExtendTrialArgs,
  type PauseArgs,
  type StripeEventSignal,
  type SubscribeArgs,
  type UpdatePaymentMethodArgs,
} from './messages';

/** The business step of the current update: its id is the caller's Idempotency-Key, stable across retries. */
const updateId = (): string => currentUpdateInfo()?.id ?? 'internal';

/** Validators refuse before anything reaches history; the policy decides again under the lock. */
function check(run: Run, command: Command): void {
  const refused = refusal(run.state, command, { subscribing: run.subscribing, now: Date.now() });
  if (refused) throw toApplicationFailure(refused);
}

/**
 * Runs a command under the lock. Stripe events already delivered to the run are taken first: an update arriving
 * in the same workflow task as a failed renewal's webhook (the customer saw past_due and fixed the card at once)
 * must find dunning begun, or it would attach the card without retrying the invoice. The reply's type is the
 * update's (the policy's `finish` for that command builds it).
 */
function exclusive(run: Run, command: Command): Promise<never> {
  return run.lock.run(async () => {
    if (run.inbox.length > 0) await interpret(run, { type: 'events', events: run.inbox.splice(0), now: Date.now() });
    return (await interpret(run, { ...command, now: Date.now() })) as never;
  });
}

export function registerHandlers(run: Run): void {
  setHandler(getStateQuery, () => toView(run.state));
  const receive = (event: StripeEventSignal | undefined) => {
    if (typeof event?.eventId !== 'string') return;
    const next = rememberEvent(run.state, event.eventId, run.policy);
    if (next === null) return;
    run.state = next;
    run.inbox.push(event);
  };
  setHandler(stripeEventSignal, receive);
  setHandler(stripeEventsSignal, (events) => {
    if (Array.isArray(events)) events.forEach(receive);
  });

  const subscribe = (args: SubscribeArgs): Command => ({ type: 'subscribe', args, updateId: updateId() });
  setHandler(
    subscribeUpdate,
    (args) => {
      run.subscribing = true;
      return exclusive(run, subscribe(args)).finally(() => {
        run.subscribing = false;
      });
    },
    { validator: (args) => check(run, subscribe(args)) },
  );
  const assignContract = (args: AssignContractArgs): Command => ({
    type: 'assignContract',
    args,
    updateId: updateId(),
  });
  setHandler(
    assignContractUpdate,
    (args) => {
      run.subscribing = true;
      return exclusive(run, assignContract(args)).finally(() => {
        run.subscribing = false;
      });
    },
    { validator: (args) => check(run, assignContract(args)) },
  );
  for (const [update, actor] of [
    [changePlanUpdate, 'customer'],
    [assignPlanUpdate, 'operator'],
  ] as const) {
    const changePlan = (args: ChangePlanArgs): Command => ({ type: 'changePlan', args, actor, updateId: updateId() });
    setHandler(update, (args) => exclusive(run, changePlan(args)), {
      validator: (args) => check(run, changePlan(args)),
    });
  }
  // A preview changes nothing: it runs beside whatever holds the lock.
  setHandler(
    previewPlanChangeUpdate,
    async (args) => (await interpret(run, { type: 'previewPlanChange', args, now: Date.now() })) as never,
    {
      validator: (args) => check(run, { type: 'previewPlanChange', args }),
    },
  );
  const cancel = (args: CancelArgs): Command => ({ type: 'cancel', args, updateId: updateId() });
  setHandler(cancelUpdate, (args) => exclusive(run, cancel(args)), { validator: (args) => check(run, cancel(args)) });
  const resume = (): Command => ({ type: 'resume', updateId: updateId() });
  setHandler(resumeUpdate, () => exclusive(run, resume()), { validator: () => check(run, resume()) });
  const paymentMethod = (args: UpdatePaymentMethodArgs): Command => ({
    type: 'updatePaymentMethod',
    args,
    updateId: updateId(),
  });
  setHandler(updatePaymentMethodUpdate, (args) => exclusive(run, paymentMethod(args)), {
    validator: (args) => check(run, paymentMethod(args)),
  });
  const setupIntent = (): Command => ({ type: 'createSetupIntent', updateId: updateId() });
  setHandler(createSetupIntentUpdate, () => exclusive(run, setupIntent()), {
    validator: () => check(run, setupIntent()),
  });
  const profile = (args: BillingProfile): Command => ({ type: 'updateBillingProfile', args, updateId: updateId() });
  setHandler(updateBillingProfileUpdate, (args) => exclusive(run, profile(args)), {
    validator: (args) => check(run, profile(args)),
  });
  const pause = (args: PauseArgs): Command => ({ type: 'pause', args, updateId: updateId() });
  setHandler(pauseUpdate, (args) => exclusive(run, pause(args)), { validator: (args) => check(run, pause(args)) });
  const unpause = (): Command => ({ type: 'unpause', updateId: updateId() });
  setHandler(unpauseUpdate, () => exclusive(run, unpause()), { validator: () => check(run, unpause()) });
  const applyDiscount = (args: ApplyDiscountArgs): Command => ({ type: 'applyDiscount', args, updateId: updateId() });
  setHandler(applyDiscountUpdate, (args) => exclusive(run, applyDiscount(args)), {
    validator: (args) => check(run, applyDiscount(args)),
  });
  const removeDiscount = (): Command => ({ type: 'removeDiscount', updateId: updateId() });
  setHandler(removeDiscountUpdate, () => exclusive(run, removeDiscount()), {
    validator: () => check(run, removeDiscount()),
  });
  const extendTrial = (args: ExtendTrialArgs): Command => ({ type: 'extendTrial', args, updateId: updateId() });
  setHandler(extendTrialUpdate, (args) => exclusive(run, extendTrial(args)), {
    validator: (args) => check(run, extendTrial(args)),
  });
}
