import { z } from 'zod';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { organizationId, parseOptions } from '../args';
import type { CliCommand } from '../command';

export const extendTrialCommand: CliCommand = {
  name: 'extend-trial',
  summary: "Move an organization's trial end later",
  usage: 'extend-trial --org <organizationId> (--until <ISO date> | --days <n>)',
  example: 'npm run billing -- extend-trial --org org_acme --days 7',
  async run(argv, { config, temporal, out }) {
    const opts = parseOptions(
      argv,
      z
        .object({
          org: organizationId,
          until: z.iso.datetime({ offset: true }).optional(),
          days: z.coerce.number().int().min(1).max(365).optional(),
        })
        .refine((o) => (o.until === undefined) !== (o.days === undefined), {
          message: 'give exactly one of --until or --days',
          path: ['until'],
        }),
    );
    const subscriptions = configuredSubscriptionClient(temporal, config);
    const trialEnd = opts.until
      ? Date.parse(opts.until)
      : await subscriptions.getState(opts.org).then((s) => {
          if (!s.trialEnd) throw new Error(`${opts.org} is not in a trial`);
          return s.trialEnd + (opts.days ?? 0) * 86_400_000;
        });
    const state = await subscriptions.extendTrial(opts.org, { trialEnd }, `cli-extend-trial:${opts.org}:${trialEnd}`);
    out(`${opts.org}: trial now ends ${new Date(state.trialEnd ?? trialEnd).toISOString()} (status ${state.status})`);
  },
};
