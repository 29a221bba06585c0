import pino from 'pino';
import { z } from 'zod';
import { backfillSubscriptions } from '../../reconciliation/backfill';
import { createStripeClient } from '../../stripe/client';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

export const backfillCommand: CliCommand = {
  name: 'backfill',
  summary: 'Starts a workflow for every live subscription that already exists in Stripe (safe to re-run)',
  usage: 'backfill [--dry-run] [--json]   (progress on stderr; --json: one JSON document on stdout)',
  example: 'npm run billing -- backfill --dry-run --json',
  async run(argv, { config, db, temporal, out, progress }) {
    const options = parseOptions(argv, z.object({ 'dry-run': z.boolean().optional(), json: z.boolean().optional() }), [
      'dry-run',
      'json',
    ]);
    const deps = {
      db,
      subscriptions: configuredSubscriptionClient(temporal, config),
      stripe: createStripeClient(config.stripe),
      logger: pino({ level: 'warn' }),
    };
    progress('backfill: listing live subscriptions in Stripe…');
    const lines = await backfillSubscriptions(deps, {
      dryRun: options['dry-run'] ?? false,
      onLine: (line, count) => progress(`backfill: ${count} · ${line.subscription} ${line.action}`),
    });
    const adopted = lines.filter((l) => l.action !== 'skipped: no organization').length;
    if (options.json)
      return out(
        JSON.stringify(
          { dryRun: options['dry-run'] ?? false, adopted, skipped: lines.length - adopted, lines },
          null,
          2,
        ),
      );
    for (const line of lines) out(`${line.subscription}  ${line.organizationId ?? '-'}  ${line.action}`);
    out(
      `${lines.length} live subscription(s) in Stripe; ${adopted} ${options['dry-run'] ? 'would be ' : ''}tracked by a workflow; ${lines.length - adopted} skipped`,
    );
  },
};
