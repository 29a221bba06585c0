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
  usage:
    'reconcile [--invoice-lookback-days <n>] [--local]   (--local runs in this process instead of on the worker; the summary is JSON, progress on stderr)',
  example: 'npm run billing -- reconcile --invoice-lookback-days 7',
  async run(argv, { config, db, temporal, out, progress }) {
    const options = parseOptions(
      argv,
      z.object({
        'invoice-lookback-days': z.coerce.number().int().min(1).max(400).optional(),
        local: z.boolean().optional(),
      }),
      ['local'],
    );
    const lookback = options['invoice-lookback-days'];
    const started = Date.now();
    const ticker = setInterval(
      () =>
        progress(
          `reconcile: still comparing Stripe with the read models (${Math.round((Date.now() - started) / 1000)} s)`,
        ),
      5_000,
    );
    try {
      await reconcile();
    } finally {
      clearInterval(ticker);
      progress(`reconcile: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    async function reconcile(): Promise<void> {
      const taskQueue = config.temporal.taskQueue;
      if (options.local) {
        progress('reconcile: comparing Stripe with the read models in this process…');
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
      progress(`reconcile: running on the worker (task queue ${taskQueue})…`);
      const { workflowId, summary } = await runReconciliation(temporal, taskQueue, lookback);
      out(JSON.stringify({ ranIn: `workflow ${workflowId}`, ...summary }, null, 2));
    }
  },
};
