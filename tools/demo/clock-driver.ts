import type Stripe from 'stripe';
import { done, notYet, waitFor } from './wait';

export const DAY_MS = 86_400_000;

/**
 * Moves one organization through Stripe time. In test-clock mode the service put the organization's
 * customer on its own Stripe test clock; the demo finds it the way an operator would (the customer by
 * its email) and advances it, then waits until Stripe reports the clock `ready` (every renewal, charge
 * and webhook due by then has happened).
 */
export class OrgClock {
  private clockId: string | null = null;
  private frozenMs = Date.now();

  constructor(
    private readonly stripe: Stripe,
    private readonly email: string,
    /** How long an advance may take: seconds on the simulator, minutes on real Stripe. */
    private readonly advanceTimeoutMs = 60_000,
  ) {}

  /** Stripe's current time for this organization (epoch ms). */
  get now(): number {
    return this.frozenMs;
  }

  /** Finds the customer's test clock; call once the organization has subscribed. */
  async attach(): Promise<void> {
    this.clockId = await waitFor(`the Stripe customer of ${this.email} on a test clock`, async () => {
      const [customer] = (await this.stripe.customers.list({ email: this.email, limit: 1 })).data;
      if (!customer) return notYet('no customer with that email');
      const clock = customer.test_clock;
      if (!clock)
        return notYet(`customer ${customer.id} has no test clock (is STRIPE_TEST_CLOCKS=1 set for the worker?)`);
      return done(typeof clock === 'string' ? clock : clock.id);
    });
    this.frozenMs = (await this.stripe.testHelpers.testClocks.retrieve(this.clockId)).frozen_time * 1000;
  }

  async advanceTo(targetMs: number): Promise<void> {
    const clockId = this.clockId;
    if (!clockId) throw new Error(`the test clock of ${this.email} is not attached yet`);
    if (targetMs <= this.frozenMs) return;
    await this.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: Math.floor(targetMs / 1000) });
    this.frozenMs = await waitFor(
      `test clock ${clockId} to finish advancing`,
      async () => {
        const clock = await this.stripe.testHelpers.testClocks.retrieve(clockId);
        return clock.status === 'ready' ? done(clock.frozen_time * 1000) : notYet(`status ${clock.status}`);
      },
      { timeoutMs: this.advanceTimeoutMs, intervalMs: this.advanceTimeoutMs > 60_000 ? 2_000 : 250 },
    );
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.frozenMs + ms);
  }
}
