import { z } from 'zod';
import { PLAN_IDS } from '../../domain/plans';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { organizationId, parseOptions } from '../args';
import type { CliCommand } from '../command';

export const assignPlanCommand: CliCommand = {
  name: 'assign-plan',
  summary: 'Assign any plan to an organization as an operator (enterprise included, which customers cannot choose)',
  usage: 'assign-plan --org <organizationId> --plan <free|starter|professional|enterprise> [--key <idempotency key>]',
  example: 'npm run billing -- assign-plan --org org_acme --plan enterprise',
  async run(argv, { config, temporal, out }) {
    const opts = parseOptions(
      argv,
      z.object({
        org: organizationId,
        plan: z.enum(PLAN_IDS),
        key: z
          .string()
          .regex(/^[\w.:-]{8,200}$/)
          .optional(),
      }),
    );
    const result = await configuredSubscriptionClient(temporal, config).assignPlan(
      opts.org,
      { plan: opts.plan },
      opts.key ?? `cli-assign-plan:${opts.org}:${opts.plan}:${Date.now()}`,
    );
    out(
      `${opts.org}: ${result.change.replace('_', ' ')} → plan ${result.subscription.plan} (status ${result.subscription.status}${result.subscription.pendingPlan ? `, pending ${result.subscription.pendingPlan}` : ''})`,
    );
  },
};
