import pino from 'pino';
import { z } from 'zod';
import { reconcileNow } from '../../reconciliation/run-now';
import { runReconciliation } from '../../reconciliation/schedule';
import { createStripeClient } from '../../stripe/client';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: 'Compares Stripe with the read models now, signals drifted workflows and repairs mirrored invoices',
  usage: 'reconcile [--invoice-lookback-days <n>] [--local]   (--local runs in this process instead of on the worker)',
  async run(argv, { config, db, temporal, out }) {
    const options = parseOptions(
      argv,
      z.object({
        'invoice-lookback-days': z.coerce.number().int().min(1).max(400).optional(),
        local: z.boolean().optional(),
      }),
      ['local'],
    );
    const lookback = options['invoice-lookback-days'];
    const taskQueue = config.temporal.taskQueue;
    if (options.local) {
      const deps = {
        db,
        subscriptions: configuredSubscriptionClient(temporal, config),
        stripe: createStripeClient(config.stripe),
        logger: pino({ level: 'warn' }),
      };
      const summary = await reconcileNow(
        deps,
        `manual-${new Date().toISOString()}`,
        lookback === undefined ? {} : { invoiceLookbackDays: lookback },
      );
      out(JSON.stringify({ ranIn: 'this process', ...summary }, null, 2));
      return;
    }
    const { workflowId, summary } = await runReconciliation(temporal, taskQueue, lookback);
    out(JSON.stringify({ ranIn: `workflow ${workflowId}`, ...summary }, null, 2));
  },
};
