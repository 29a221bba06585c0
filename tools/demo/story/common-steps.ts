import type { PlanId } from '../../../src/domain/plans';
import { day } from './stripe-side';
import type { DemoOrg, Step } from './types';

export const HOUR_MS = 3_600_000;

/** The trial end the subscribe step learned, for the steps after it. */
export interface TrialClock {
  trialEnd: number;
}

export function subscribeStep(org: DemoOrg, plan: PlanId, paymentMethodId: string, trial: TrialClock): Step {
  return {
    title: `subscribes to ${plan}`,
    async run() {
      const state = await org.api.subscribe(plan, paymentMethodId);
      await org.clock.attach();
      trial.trialEnd = Date.parse(state.subscription?.trialEnd ?? '');
      if (Number.isNaN(trial.trialEnd))
        throw new Error(`${org.name}: the subscription has no trial end (${JSON.stringify(state.subscription)})`);
      return `POST /subscription ${plan} + ${paymentMethodId} → ${state.subscription?.status} until ${day(trial.trialEnd)}`;
    },
  };
}

/** Moves Stripe past the trial end; Stripe bills the first period and tells the service by webhook. */
export function passTrialEnd(org: DemoOrg, trial: TrialClock): Promise<void> {
  return org.clock.advanceTo(trial.trialEnd + HOUR_MS);
}
