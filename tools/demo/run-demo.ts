import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { createAdminClient, createApiClient } from './api-client';
import type { DemoOptions } from './args';
import { OrgClock } from './clock-driver';
import { Mailbox } from './mailbox';
import { CHAPTERS, type Chapter, type StoryEnv } from './story';
import { summarize, type SummaryRow } from './summary';
import { renderSummary } from './summary-table';
import { Timeline } from './timeline';
import { signUserToken } from './tokens';
import { done, notYet, waitFor } from './wait';

export interface DemoDeps {
  apiUrl: string;
  /** The official SDK pointed at the Stripe simulator. */
  stripe: Stripe;
  /** The simulator's base URL (its /_sim/ control paths). */
  simUrl: string;
  mailUrl: string;
  jwtSecret: string;
  serviceToken: string | undefined;
  /** An operator token (ADMIN_TOKENS) the API accepts, for the enterprise contract chapter. */
  adminToken: string | undefined;
  write: (text: string) => void;
  /** A terminal: redraw a live progress line. */
  live: boolean;
}

export interface DemoResult {
  ok: boolean;
  rows: SummaryRow[];
  failures: { org: string; step: string; error: string }[];
  gaps: string[];
  orgs: { name: string; organizationId: string }[];
  elapsedMs: number;
}

const CATALOG_LOOKUP_KEYS = ['billing_starter_monthly', 'billing_professional_monthly'];

/** Checks that every service the story drives answers, so a missing piece fails in the first seconds with its name. */
async function preflight(deps: DemoDeps, options: DemoOptions): Promise<void> {
  if (options.only.includes('vandelay') && !deps.adminToken) {
    throw new Error(
      "Vandelay's chapter is an operator assigning a contract: set ADMIN_TOKENS for the API and the demo (scripts/demo.sh does), or leave it out with --only",
    );
  }
  await waitFor(`the billing API at ${deps.apiUrl}/readyz`, async () => {
    const res = await fetch(`${deps.apiUrl}/readyz`);
    return res.ok ? done(true) : notYet(`HTTP ${res.status}: ${await res.text()}`);
  });
  await waitFor(`the mail sink at ${deps.mailUrl}/health`, async () =>
    (await fetch(`${deps.mailUrl}/health`)).ok ? done(true) : notYet('not ready'),
  );
  const prices = await deps.stripe.prices.list({ lookup_keys: CATALOG_LOOKUP_KEYS, limit: 10 });
  if (prices.data.length < CATALOG_LOOKUP_KEYS.length) {
    throw new Error('the plan catalog is not in Stripe (the simulator) yet: run `npm run billing -- catalog-sync`');
  }
}

async function buildChapters(deps: DemoDeps, options: DemoOptions): Promise<Chapter[]> {
  const runId = randomUUID().slice(0, 6);
  const env: StoryEnv = {
    apiUrl: deps.apiUrl,
    stripe: deps.stripe,
    simUrl: deps.simUrl,
    serviceToken: deps.serviceToken,
    admin: deps.adminToken ? createAdminClient(deps.apiUrl, deps.adminToken) : undefined,
    fast: options.fast,
  };
  return Promise.all(
    options.only.map(async (key) => {
      const { name, build } = CHAPTERS[key];
      const organizationId = `${key}-${runId}`;
      const email = `billing@${organizationId}.example`;
      const token = await signUserToken(deps.jwtSecret, { organizationId, email });
      return build(
        {
          key,
          name,
          organizationId,
          email,
          api: createApiClient(deps.apiUrl, token),
          clock: new OrgClock(deps.stripe, email),
          mailbox: new Mailbox(deps.mailUrl, email),
        },
        env,
      );
    }),
  );
}

/** Plays one chapter's steps in order; a failing step ends the chapter (later steps depend on it). */
async function playChapter(
  chapter: Chapter,
  timeline: Timeline,
): Promise<{ org: string; step: string; error: string } | null> {
  for (const step of chapter.steps) {
    const finish = timeline.start(chapter.org.name, step.title);
    try {
      const outcome = await step.run();
      finish(chapter.org.clock.now, outcome);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      finish(chapter.org.clock.now, `✗ ${step.title} failed: ${error}`);
      return { org: chapter.org.name, step: step.title, error };
    }
  }
  return null;
}

/**
 * The whole demo: every organization's chapter in parallel against the running stack, each on its own
 * Stripe test clock, then a summary checked against the read model and Stripe.
 */
export async function runDemo(deps: DemoDeps, options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const timeline = new Timeline({ write: deps.write, color: options.color, live: deps.live });
  await preflight(deps, options);
  const chapters = await buildChapters(deps, options);

  timeline.note(timeline.bold('The story'));
  for (const c of chapters) timeline.note(`  ${timeline.paint(c.org.name, c.org.name.padEnd(9))} ${c.premise}`);
  timeline.note(
    timeline.dim(`\n  Each line: [step/total]  the organization's Stripe time (its own test clock)  what happened.\n`),
  );

  timeline.begin(chapters.reduce((n, c) => n + c.steps.length, 0));
  const outcomes = await Promise.all(chapters.map((c) => playChapter(c, timeline)));
  timeline.end();
  const failures = outcomes.filter((f): f is NonNullable<typeof f> => f !== null);

  timeline.note(
    timeline.bold('\nSummary (checked against GET /subscription, GET /invoices, the simulator and the mail sink)'),
  );
  const rows = await Promise.all(chapters.map((c) => summarize(c, deps.stripe)));
  timeline.note(renderSummary(rows));
  const gaps = chapters.flatMap((c) => c.gaps.map((g) => `${c.org.name}: ${g}`));
  for (const gap of gaps) timeline.note(`⚠ not shown — ${gap}`);

  const ok = failures.length === 0 && rows.every((r) => r.problems.length === 0);
  const elapsedMs = Date.now() - started;
  timeline.note(
    `\n${ok ? '✓ the story played out and every summary row agrees' : `✗ ${failures.length} chapter(s) failed, ${rows.filter((r) => r.problems.length).length} row(s) disagree`} (${(elapsedMs / 1000).toFixed(0)} s)`,
  );
  return {
    ok,
    rows,
    failures,
    gaps,
    orgs: chapters.map((c) => ({ name: c.org.name, organizationId: c.org.organizationId })),
    elapsedMs,
  };
}
