import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { BillingPolicy } from '../domain/billing-policy';
import {
  BillingErrorType,
  transition,
  type BillingError,
  type Effect,
  type Input,
  type SubscriptionState,
} from '../domain/subscription';
import { callStripe, writes } from './activity-proxies';
import type { Lock } from './lock';
import { publish } from './publish';
import type { StripeEventSignal } from './messages';

/** One run of the subscription workflow: the policy's state and what the interpreter needs beside it. */
export interface Run {
  state: SubscriptionState;
  policy: BillingPolicy;
  lock: Lock;
  /** Webhook signals accepted but not yet processed. */
  inbox: StripeEventSignal[];
  /** A subscribe is in flight: a concurrent one is refused rather than queued behind it. */
  subscribing: boolean;
  /**
   * The worker build that ran this run's first task, when the run may span billing periods (`core-2026-12-07`);
   * undefined for runs that continue as new at every period.
   */
  startedOn?: string;
}

/**
 * Feeds one input to the policy and carries out its effects in order; a Stripe call's answer (or failure) is
 * the next input, until the chain ends. Returns the reply, or throws the rejection as a typed ApplicationFailure.
 * Each transition starts from the run's current state, so a concurrent read-only chain (a preview) never
 * overwrites a newer state.
 */
export async function interpret(run: Run, first: Input): Promise<unknown> {
  let input: Input | undefined = first;
  let reply: unknown;
  while (input) {
    const { state, effects } = transition(run.state, input, run.policy);
    run.state = state;
    input = undefined;
    for (const effect of effects) {
      if (effect.kind === 'call') input = await answer(effect);
      else if (effect.kind === 'reply') reply = effect.value;
      else await perform(run, effect);
    }
  }
  return reply;
}

async function answer(effect: Extract<Effect, { kind: 'call' }>): Promise<Input> {
  try {
    const value = (await callStripe(effect.call)) as Extract<Input, { type: 'result' }>['value'];
    return { type: 'result', of: effect.then, value, now: Date.now() };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return { type: 'failed', of: effect.then, error: billingErrorOf(err), now: Date.now() };
  }
}

async function perform(run: Run, effect: Exclude<Effect, { kind: 'call' | 'reply' }>): Promise<void> {
  switch (effect.kind) {
    case 'publish':
      return publish(effect.subscription, effect.stateVersion);
    case 'notify':
      // An email that cannot be stored (after the activity's retries) is logged: billing goes on without it.
      try {
        await writes.notify({ organizationId: run.state.organizationId, ...effect.notification });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.error('notification not stored', {
          kind: effect.notification.kind,
          dedupeKey: effect.notification.dedupeKey,
          error: err.cause?.message ?? err.message,
        });
      }
      return;
    case 'reject':
      throw toApplicationFailure(effect.error);
    case 'log':
      return log[effect.level](effect.message, effect.attributes);
  }
}

export function toApplicationFailure(error: BillingError): ApplicationFailure {
  return ApplicationFailure.create({
    type: error.type,
    message: error.message,
    nonRetryable: true,
    details: error.details === undefined ? undefined : [error.details],
  });
}

/**
 * Activity failures keep the type the activity classified (CardDeclined, InvalidRequest, ...); exhausted retries
 * of transient Stripe errors become StripeUnavailable.
 */
function billingErrorOf(err: ActivityFailure): BillingError {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure))
    return { type: BillingErrorType.StripeUnavailable, message: cause?.message ?? err.message };
  const known = Object.values(BillingErrorType).includes(cause.type as BillingErrorType);
  return {
    type: known && cause.type ? (cause.type as BillingErrorType) : BillingErrorType.StripeUnavailable,
    message: cause.message,
    details: cause.details?.[0],
  };
}
