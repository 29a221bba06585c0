import { z } from 'zod';
import { extendTrialUpdate, subscriptionWorkflowId } from '../../workflows/messages';
import { organizationId, parseOptions } from '../args';
import type { CliCommand } from '../command';

export const extendTrialCommand: CliCommand = {
  name: 'extend-trial',
  summary: "Move an organization's trial end later",
  usage: 'extend-trial --org <organizationId> (--until <ISO date> | --days <n>)',
  async run(argv, { temporal, out }) {
    const opts = parseOptions(
      argv,
      z
        .object({ org: organizationId, until: z.iso.datetime({ offset: true }).optional(), days: z.coerce.number().int().min(1).max(365).optional() })
        .refine((o) => (o.until === undefined) !== (o.days === undefined), { message: 'give exactly one of --until or --days', path: ['until'] }),
    );
    const handle = temporal.workflow.getHandle(subscriptionWorkflowId(opts.org));
    const trialEnd = opts.until ? Date.parse(opts.until) : await handle.query('getState').then((s) => {
      const current = (s as { trialEnd: number | null }).trialEnd;
      if (!current) throw new Error(`${opts.org} is not in a trial`);
      return current + (opts.days ?? 0) * 86_400_000;
    });
    const state = await handle.executeUpdate(extendTrialUpdate, { args: [{ trialEnd }], updateId: `cli-extend-trial:${opts.org}:${trialEnd}` });
    out(`${opts.org}: trial now ends ${new Date(state.trialEnd ?? trialEnd).toISOString()} (status ${state.status})`);
  },
};
