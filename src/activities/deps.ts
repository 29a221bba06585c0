import type { Registry } from 'prom-client';
import type Stripe from 'stripe';
import type { Db } from '../db/database';
import type { Notifier } from '../notifications/types';

export interface ActivityDeps {
  stripe: Stripe;
  db: Db;
  notifier: Notifier;
  /** STRIPE_TEST_CLOCKS: every new customer gets its own Stripe test clock. */
  testClocks: boolean;
  /** STRIPE_TAX: subscriptions and previews are taxed by Stripe Tax (`automatic_tax`) from the customer's address. */
  stripeTax?: boolean;
  /**
   * Let the workflow's clock drive Stripe's: before reading or paying, advance the customer's test clock to
   * the workflow time (`asOf`). For demos on the time-skipping server; off in normal runs and e2e tests.
   */
  testClocksFollowWorkflow?: boolean;
  /** Where payment-attempt counters are registered (the worker's /metrics); none in tests. */
  registry?: Registry;
}
