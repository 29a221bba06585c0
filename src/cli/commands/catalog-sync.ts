import { z } from 'zod';
import { syncCatalog } from '../../stripe/catalog-sync';
import { createStripeClient } from '../../stripe/client';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

export const catalogSyncCommand: CliCommand = {
  name: 'catalog-sync',
  summary:
    'Create or update the plan products and prices, the overage meters and metered prices in Stripe (idempotent)',
  usage: 'catalog-sync [--json]',
  example: 'npm run billing -- catalog-sync --json',
  async run(argv, { config, out }) {
    const options = parseOptions(argv, z.object({ json: z.boolean().optional() }), ['json']);
    const stripe = createStripeClient(config.stripe);
    const report = await syncCatalog(stripe);
    if (options.json) return out(JSON.stringify(report, null, 2));
    for (const p of report.products) out(`product ${p.productId.padEnd(32)} ${p.action}`);
    for (const p of report.prices) out(`price   ${p.lookupKey.padEnd(32)} ${p.priceId} ${p.action}`);
    const { meters } = report;
    for (const [eventName, id] of Object.entries(meters.meters))
      out(`meter   ${eventName.padEnd(32)} ${id} ${meters.created.includes(id) ? 'created' : 'unchanged'}`);
    for (const [lookupKey, id] of Object.entries(meters.prices))
      out(`price   ${lookupKey.padEnd(32)} ${id} ${meters.created.includes(id) ? 'created' : 'unchanged'}`);
  },
};
