import type Stripe from 'stripe';
import type { AdminClient, ApiClient } from '../api-client';
import type { ChapterKey } from '../args';
import type { OrgClock } from '../clock-driver';
import type { Mailbox } from '../mailbox';

/** One organization of the story, with everything a chapter drives it through. */
export interface DemoOrg {
  key: ChapterKey;
  name: string;
  organizationId: string;
  email: string;
  api: ApiClient;
  clock: OrgClock;
  mailbox: Mailbox;
}

/** What a chapter needs beyond its organization. */
export interface StoryEnv {
  apiUrl: string;
  /** The official SDK pointed at the simulator: Stripe's side of the story. */
  stripe: Stripe;
  /** The simulator's base URL, for its control paths (/_sim/deliveries). */
  simUrl: string;
  /** A service token for usage ingestion (USAGE_SERVICE_TOKENS); without one the usage chapter is skipped. */
  serviceToken: string | undefined;
  /** An operator's client (an ADMIN_TOKENS token), for the contract chapter; none without a token. */
  admin: AdminClient | undefined;
  fast: boolean;
}

/** One timeline line: `run` does the step and returns what changed, in words. */
export interface Step {
  title: string;
  run(): Promise<string>;
}

/** What the organization must look like when its chapter is over; the summary checks it. */
export interface Expectation {
  effectivePlan: string;
  status: string;
  paidInvoices: number;
  unpaidInvoices: number;
  /** Minimum number of emails per notification kind. */
  emails: Record<string, number>;
}

export interface Chapter {
  org: DemoOrg;
  /** One sentence: the organization's story. */
  premise: string;
  steps: Step[];
  expected(): Expectation;
  /** Parts of the story that could not be played, and why (shown, never faked). */
  gaps: string[];
}
