import { z } from 'zod';
import { buildBillingHealthReport } from '../../health-report/billing-health';
import { formatHealthReport } from '../../health-report/format';
import { parseOptions } from '../args';
import { UsageError, type CliCommand } from '../command';

const DAY_MS = 86_400_000;
const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const healthReportCommand: CliCommand = {
  name: 'health-report',
  summary:
    "The seed's success metrics over a period, each beside its target (payments, webhooks, invoice delivery, retries, dunning revenue)",
  usage: 'health-report [--from <ISO time>] [--to <ISO time>] [--json]   (default: the 30 days before --to or now)',
  example: 'npm run billing -- health-report --from 2026-11-01T00:00:00Z --json',
  async run(argv, { db, out }) {
    const options = parseOptions(
      argv,
      z.object({ from: isoTime.optional(), to: isoTime.optional(), json: z.boolean().optional() }),
      ['json'],
    );
    const to = options.to ?? new Date();
    const from = options.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new UsageError('--from must be before --to');
    const report = await buildBillingHealthReport(db, { from, to });
    if (options.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatHealthReport(report)) out(line);
  },
};
