import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  patched,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { resolveBillingPolicy } from '../domain/billing-policy';
import {
  currentDetails,
  initialState,
  pendingDeadlines,
  timerSummary,
  toView,
  upgradeState,
  type Deadline,
} from '../domain/subscription';
import { registerHandlers } from './handlers';
import { interpret, type Run } from './interpreter';
import { createLock } from './lock';
import type { SubscriptionView, SubscriptionWorkflowInput } from './messages';
import { subscriptionWorkflowBeforeCore } from './v1/subscription-workflow';

/**
 * One marker for everything below: a run that records it is on the policy core with every behaviour patched in up
 * to 2026-12-06. A run records a marker and an upsert of Temporal's `TemporalChangeVersion` search attribute per
 * `patched()` call, so five calls cost ten history events per run, every period; runs recorded before this read
 * the five markers as before (docs/workflow-versioning.md).
 */
export const CORE_2026_12_06_PATCH = 'core-2026-12-06';
/**
 * Everything `core-2026-12-06` marks, and a run that spans billing periods: at a new period it continues as new
 * only once its history reaches the policy's `runHistoryLimit` or when the workflow code running it has changed
 * since it started (docs/workflow-versioning.md, "One run for many periods"). Still one marker per run.
 */
export const CORE_2026_12_07_PATCH = 'core-2026-12-07';
/** Marks runs interpreted by the policy core; histories without it are replayed by the code before it (v1/). */
export const CORE_V2_PATCH = 'core-v2';
/** Changes at renewal go through a Stripe subscription schedule (docs/workflow-versioning.md). */
export const TERMS_AT_BOUNDARY_PATCH = 'terms-at-boundary';
/** Pause and unpause, and Stripe's `paused` status and pause_collection read as a pause (docs/workflow-versioning.md). */
export const SUBSCRIPTION_PAUSE_PATCH = 'subscription-pause';
export const SUBSCRIPTION_DISCOUNTS_PATCH = 'subscription-discounts';
/** A live subscription moved onto a contract, and Stripe's invoice.overdue acted on (docs/workflow-versioning.md). */
export const CONTRACT_MOVES_PATCH = 'contract-moves';

/**
 * One organization's subscription, from subscribe (or adoption) to its end. Handlers are registered first; the
 * loop then sleeps until the earliest deadline, a webhook signal or a state change, feeds that one input to the
 * policy under the lock, and continues as new with the whole state at a new billing period when its history is long
 * or its code has changed (`rolloverDue`), or when Temporal suggests it.
 */
export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  const spansPeriods = patched(CORE_2026_12_07_PATCH);
  const rolledUp = spansPeriods || patched(CORE_2026_12_06_PATCH);
  if (!rolledUp && !patched(CORE_V2_PATCH)) return subscriptionWorkflowBeforeCore(input);
  const policy = resolveBillingPolicy(input.policy);
  const carried = input.carried ? upgradeState(input.carried, input.published) : initialState(input.organizationId);
  const run: Run = {
    state: {
      ...carried,
      boundarySchedules: rolledUp || patched(TERMS_AT_BOUNDARY_PATCH),
      pauses: rolledUp || patched(SUBSCRIPTION_PAUSE_PATCH),
      discounts: rolledUp || patched(SUBSCRIPTION_DISCOUNTS_PATCH),
      contractMoves: rolledUp || patched(CONTRACT_MOVES_PATCH),
    },
    policy,
    lock: createLock(),
    inbox: [],
    subscribing: false,
    // The code this run started on; a period boundary reached on other code ends the run (the new run then starts
    // on the code now running, with no patch in its way).
    startedOn: spansPeriods ? workflowCode() : undefined,
  };
  registerHandlers(run);
  const idleUntil = Date.now() + policy.idleTimeoutMs;
  if (input.adopt && run.state.status === 'none') {
    const { stripeSubscriptionId } = input.adopt;
    await run.lock.run(() => interpret(run, { type: 'adopt', stripeSubscriptionId, now: Date.now() }));
  }

  for (;;) {
    if (run.state.rolloverPending && !rolloverDue(run)) {
      // A new period on the code this run started on, with a short history: the run goes on, and decides again at
      // the next period. Never later: a run that ended mid-period (a dunning retry crossing the limit) raced that
      // retry's webhooks for its closing task.
      run.state = { ...run.state, rolloverPending: false };
    }
    const s = run.state;
    if (s.status === 'canceled') break;
    if (s.status === 'none' && !run.subscribing && run.inbox.length === 0 && Date.now() >= idleUntil) break;
    if (readyToContinueAsNew(run)) {
      // The next run starts with this run's search attributes (it republishes them only when they change).
      const next = makeContinueAsNewFunc<typeof subscriptionWorkflow>({
        typedSearchAttributes: workflowInfo().typedSearchAttributes,
      });
      await next({ organizationId: s.organizationId, policy: input.policy, carried: { ...s, rolloverPending: false } });
    }
    const deadline: Deadline | undefined = pendingDeadlines(s, policy)[0];
    const wakeAt = deadline?.at ?? (s.status === 'none' ? idleUntil : Infinity);
    const waitMs = wakeAt - Date.now();
    // For the operator in the Temporal UI: the state in words (not part of history) and what the timer waits for
    // (metadata on the timer command, not matched on replay).
    setCurrentDetails(currentDetails(s));
    if (waitMs > 0) {
      const version = s.stateVersion;
      const wake = () =>
        run.inbox.length > 0 ||
        run.state.stateVersion !== version ||
        run.state.status === 'canceled' ||
        readyToContinueAsNew(run);
      if (Number.isFinite(waitMs)) await condition(wake, waitMs, { summary: timerSummary(deadline, s) });
      else await condition(wake);
    }
    if (run.inbox.length > 0)
      await run.lock.run(() => interpret(run, { type: 'events', events: run.inbox.splice(0), now: Date.now() }));
    else if (deadline && deadline.at <= Date.now())
      await run.lock.run(() => interpret(run, { type: 'deadline', kind: deadline.kind, now: Date.now() }));
  }
  await condition(allHandlersFinished);
  return toView(run.state);
}

function readyToContinueAsNew(run: Run): boolean {
  const wanted = (run.state.rolloverPending && rolloverDue(run)) || workflowInfo().continueAsNewSuggested;
  return wanted && run.state.status !== 'none' && run.inbox.length === 0 && !run.lock.busy && allHandlersFinished();
}

/**
 * A new billing period has begun: does this run end (at its first quiet moment)? Runs before `core-2026-12-07` always
 * did. A run on it ends when its history has reached the policy's limit or the code running it is not the code it
 * started on, and otherwise goes on to the next period; the loop asks once per period, in the task that saw the
 * renewal. Both are read from history (its length when this task started; the build of the worker that completed
 * it), so a replay decides the same. A build that is not known (a server that does not record the worker's build on
 * its tasks, as the time-skipping test server) is never a change: such runs end by length alone.
 */
function rolloverDue(run: Run): boolean {
  if (run.startedOn === undefined) return true;
  if (workflowInfo().historyLength >= run.policy.runHistoryLimit) return true;
  const now = workflowCode();
  return now !== '' && run.startedOn !== '' && now !== run.startedOn;
}

/** The build of the worker running the current workflow task (by default the SDK's version and the bundle's hash). */
function workflowCode(): string {
  return workflowInfo().currentDeploymentVersion?.buildId ?? '';
}
