import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { POLICY_PROFILES, type PolicyProfile } from '../domain/policy-profiles';
import {
  assignContractUpdate,
  assignPlanUpdate,
  cancelUpdate,
  changePlanUpdate,
  createSetupIntentUpdate,
  updateBillingProfileUpdate,
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
  subscriptionWorkflowId,
  unpauseUpdate,
  updatePaymentMethodUpdate,
  type AssignContractArgs,
  type BillingProfile,
  type CancelArgs,
  type CustomerProfileResult,
  type ChangePlanArgs,
  type ChangePlanResult,
  type ExtendTrialArgs,
  type PauseArgs,
  type StripeEventSignal,
  type SubscribeArgs,
  type SubscriptionView,
  type SubscriptionWorkflowInput,
  type UpdatePaymentMethodArgs,
  type UpdatePaymentMethodResult,
} from '../workflows/messages';
import type { subscriptionWorkflow } from '../workflows/subscription-workflow';
import type { PlanChangePreview, SetupIntentCreated } from '../activities/types';

/**
 * The one client of the subscription workflow: its id, type, task queue, start input and every update,
 * query and signal the API, the webhook relay, reconciliation and the operator CLI send. The message
 * definitions stay in src/workflows/messages.ts (shared with the workflow); this module cannot live
 * beside them because it imports @temporalio/client, which the lint rule keeps out of workflow code.
 */

/** By name: the API process never loads workflow code, only its type. */
export const SUBSCRIPTION_WORKFLOW_TYPE = 'subscriptionWorkflow';

export interface SubscriptionClientOptions {
  /** Where new runs are scheduled (TEMPORAL_TASK_QUEUE). */
  taskQueue: string;
  /** BILLING_POLICY_PROFILE: every run this client starts gets it, whoever starts it. */
  policyProfile: PolicyProfile;
}

export type DeliveryResult = 'signalled' | 'started_or_signalled' | 'no_live_workflow';

/**
 * Temporal answered NOT_FOUND for a call to the organization's workflow, but the workflow is running: the answer
 * was about something else Temporal had not loaded yet (a server restarting from its database answers so for the
 * namespace, or for an update it has not reloaded). Retryable: the same update id reaches the same update.
 */
export class WorkflowNotReachableError extends Error {
  override name = 'WorkflowNotReachableError';
  constructor(readonly workflowId: string) {
    super(`Temporal answered "not found" for the running workflow ${workflowId}; try again`);
  }
}

/**
 * The input of every run this service starts (API subscribe, adoption by the relay, reconciliation or
 * backfill). The policy overrides are set only when the profile has any: production runs carry none.
 */
export function subscriptionStartInput(
  organizationId: string,
  policyProfile: PolicyProfile,
  adopt?: { stripeSubscriptionId: string },
): SubscriptionWorkflowInput {
  const policy = POLICY_PROFILES[policyProfile];
  return { organizationId, ...(Object.keys(policy).length > 0 && { policy }), ...(adopt && { adopt }) };
}

export interface SubscriptionClient {
  /** Update-with-start: starts the organization's run if none is live, so two tabs subscribing reach one run. */
  subscribe(organizationId: string, args: SubscribeArgs, updateId?: string): Promise<SubscriptionView>;
  /** Update-with-start as subscribe: a card may be collected before the organization subscribes. */
  createSetupIntent(organizationId: string, updateId?: string): Promise<SetupIntentCreated>;
  /** Writes the billing identity to the Stripe customer (created if need be); starts the run if none is live. */
  updateBillingProfile(
    organizationId: string,
    profile: BillingProfile,
    updateId?: string,
  ): Promise<CustomerProfileResult>;
  changePlan(organizationId: string, args: ChangePlanArgs, updateId?: string): Promise<ChangePlanResult>;
  previewPlanChange(organizationId: string, args: ChangePlanArgs): Promise<PlanChangePreview>;
  cancel(organizationId: string, args: CancelArgs, updateId?: string): Promise<SubscriptionView>;
  resume(organizationId: string, updateId?: string): Promise<SubscriptionView>;
  pause(organizationId: string, args: PauseArgs, updateId?: string): Promise<SubscriptionView>;
  unpause(organizationId: string, updateId?: string): Promise<SubscriptionView>;
  applyDiscount(organizationId: string, args: ApplyDiscountArgs, updateId?: string): Promise<SubscriptionView>;
  removeDiscount(organizationId: string, updateId?: string): Promise<SubscriptionView>;
  updatePaymentMethod(
    organizationId: string,
    args: UpdatePaymentMethodArgs,
    updateId?: string,
  ): Promise<UpdatePaymentMethodResult>;
  /** Operator only (callers check the role). */
  assignPlan(organizationId: string, args: ChangePlanArgs, updateId?: string): Promise<ChangePlanResult>;
  /** Operator only (callers check the role); update-with-start: the organization may have no run yet. */
  assignContract(organizationId: string, args: AssignContractArgs, updateId?: string): Promise<SubscriptionView>;
  /** Operator only. */
  extendTrial(organizationId: string, args: ExtendTrialArgs, updateId?: string): Promise<SubscriptionView>;
  getState(organizationId: string): Promise<SubscriptionView>;
  /** Signals the organization's running workflow; a closed or missing one is reported, not thrown. */
  signalEvent(organizationId: string, signal: StripeEventSignal): Promise<DeliveryResult>;
  /**
   * Several events of one organization, in `created` order, as one `stripeEvents` signal. With `adopt`
   * it is a signal-with-start (a running workflow just receives them; with none running a new run starts
   * that adopts that subscription); without it a closed or missing workflow is reported, not thrown.
   */
  signalEvents(
    organizationId: string,
    signals: StripeEventSignal[],
    adopt?: { stripeSubscriptionId: string },
  ): Promise<DeliveryResult>;
  /**
   * Signal-with-start of one event: a running workflow just receives the signal (its input is ignored);
   * with none running, a new run starts that adopts the Stripe subscription. Temporal's id uniqueness
   * keeps it to one live workflow per organization.
   */
  adopt(
    organizationId: string,
    adopt: { stripeSubscriptionId: string },
    signal: StripeEventSignal,
  ): Promise<DeliveryResult>;
  /** Runs `calls` with a deadline on every Temporal call they make (a server that hangs is abandoned). */
  withDeadline<T>(deadline: number, calls: () => Promise<T>): Promise<T>;
}

export function createSubscriptionClient(temporal: Client, options: SubscriptionClientOptions): SubscriptionClient {
  const handle = (organizationId: string) =>
    temporal.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionWorkflowId(organizationId));
  const startInput = (organizationId: string, adopt?: { stripeSubscriptionId: string }) =>
    subscriptionStartInput(organizationId, options.policyProfile, adopt);

  /**
   * Runs a call to the organization's workflow; a NOT_FOUND is believed only once a describe agrees that no run is
   * open (a running workflow makes it WorkflowNotReachableError instead, and the caller retries).
   */
  async function toWorkflow<T>(organizationId: string, call: (workflow: WorkflowHandle) => Promise<T>): Promise<T> {
    const workflow = handle(organizationId);
    try {
      return await call(workflow);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const running = await workflow.describe().then(
        (d) => d.status.name === 'RUNNING',
        (describeErr: unknown) => {
          if (describeErr instanceof WorkflowNotFoundError) return false;
          throw describeErr;
        },
      );
      if (running) throw new WorkflowNotReachableError(workflow.workflowId);
      throw err;
    }
  }

  async function sendIfLive(
    organizationId: string,
    send: (workflow: WorkflowHandle) => Promise<void>,
  ): Promise<DeliveryResult> {
    try {
      await toWorkflow(organizationId, send);
      return 'signalled';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'no_live_workflow';
      throw err;
    }
  }

  /** Starts the organization's run if none is live, so two tabs reach one run. */
  const startOperation = (organizationId: string) =>
    new WithStartWorkflowOperation<typeof subscriptionWorkflow>(SUBSCRIPTION_WORKFLOW_TYPE, {
      workflowId: subscriptionWorkflowId(organizationId),
      taskQueue: options.taskQueue,
      args: [startInput(organizationId)],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  return {
    subscribe: (organizationId, args, updateId) =>
      temporal.workflow.executeUpdateWithStart(subscribeUpdate, {
        args: [args],
        updateId,
        startWorkflowOperation: startOperation(organizationId),
      }),
    createSetupIntent: (organizationId, updateId) =>
      temporal.workflow.executeUpdateWithStart(createSetupIntentUpdate, {
        args: [],
        updateId,
        startWorkflowOperation: startOperation(organizationId),
      }),
    updateBillingProfile: (organizationId, profile, updateId) =>
      temporal.workflow.executeUpdateWithStart(updateBillingProfileUpdate, {
        args: [profile],
        updateId,
        startWorkflowOperation: startOperation(organizationId),
      }),
    changePlan: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(changePlanUpdate, { args: [args], updateId })),
    previewPlanChange: (organizationId, args) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(previewPlanChangeUpdate, { args: [args] })),
    cancel: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(cancelUpdate, { args: [args], updateId })),
    resume: (organizationId, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(resumeUpdate, { args: [], updateId })),
    pause: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(pauseUpdate, { args: [args], updateId })),
    unpause: (organizationId, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(unpauseUpdate, { args: [], updateId })),
    applyDiscount: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(applyDiscountUpdate, { args: [args], updateId })),
    removeDiscount: (organizationId, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(removeDiscountUpdate, { args: [], updateId })),
    updatePaymentMethod: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(updatePaymentMethodUpdate, { args: [args], updateId })),
    assignPlan: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(assignPlanUpdate, { args: [args], updateId })),
    assignContract: (organizationId, args, updateId) =>
      temporal.workflow.executeUpdateWithStart(assignContractUpdate, {
        args: [args],
        updateId,
        startWorkflowOperation: startOperation(organizationId),
      }),
    extendTrial: (organizationId, args, updateId) =>
      toWorkflow(organizationId, (w) => w.executeUpdate(extendTrialUpdate, { args: [args], updateId })),
    getState: (organizationId) => toWorkflow(organizationId, (w) => w.query(getStateQuery)),
    signalEvent: (organizationId, signal) =>
      sendIfLive(organizationId, (workflow) => workflow.signal(stripeEventSignal, signal)),
    async signalEvents(organizationId, signals, adopt) {
      if (!adopt) return sendIfLive(organizationId, (workflow) => workflow.signal(stripeEventsSignal, signals));
      await temporal.workflow.signalWithStart<typeof subscriptionWorkflow, [StripeEventSignal[]]>(
        SUBSCRIPTION_WORKFLOW_TYPE,
        {
          workflowId: subscriptionWorkflowId(organizationId),
          taskQueue: options.taskQueue,
          args: [startInput(organizationId, adopt)],
          signal: stripeEventsSignal,
          signalArgs: [signals],
        },
      );
      return 'started_or_signalled';
    },
    async adopt(organizationId, adopt, signal) {
      await temporal.workflow.signalWithStart<typeof subscriptionWorkflow, [StripeEventSignal]>(
        SUBSCRIPTION_WORKFLOW_TYPE,
        {
          workflowId: subscriptionWorkflowId(organizationId),
          taskQueue: options.taskQueue,
          args: [startInput(organizationId, adopt)],
          signal: stripeEventSignal,
          signalArgs: [signal],
        },
      );
      return 'started_or_signalled';
    },
    withDeadline: (deadline, calls) => temporal.withDeadline(deadline, calls),
  };
}

/** The client as a process configures it: its task queue and policy profile from the environment. */
export function configuredSubscriptionClient(
  temporal: Client,
  config: { temporal: { taskQueue: string }; policyProfile: PolicyProfile },
): SubscriptionClient {
  return createSubscriptionClient(temporal, {
    taskQueue: config.temporal.taskQueue,
    policyProfile: config.policyProfile,
  });
}
