import { z } from 'zod';
import { findCurrentSubscription } from '../../db/read-models/subscriptions';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { subscriptionWorkflowId } from '../../workflows/messages';
import { organizationId, parseOptions } from '../args';
import type { CliCommand } from '../command';

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

export const showCommand: CliCommand = {
  name: 'show',
  summary: "An organization's billing state: the read model and the workflow's own state side by side",
  usage: 'show --org <organizationId>',
  example: 'npm run billing -- show --org org_acme',
  async run(argv, { config, db, temporal, out }) {
    const { org } = parseOptions(argv, z.object({ org: organizationId }));
    const readModel = await findCurrentSubscription(db, org);
    let workflow: unknown;
    try {
      const state = await configuredSubscriptionClient(temporal, config).getState(org);
      workflow = {
        ...state,
        currentPeriodStart: iso(state.currentPeriodStart),
        currentPeriodEnd: iso(state.currentPeriodEnd),
        trialEnd: iso(state.trialEnd),
      };
    } catch (err) {
      workflow = { unavailable: err instanceof Error ? err.message.split('\n')[0] : String(err) };
    }
    out(JSON.stringify({ organizationId: org, workflowId: subscriptionWorkflowId(org), readModel, workflow }, null, 2));
  },
};
