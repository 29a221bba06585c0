import { loadConfigOrExit } from '../config';
import { createDb } from '../db/database';
import { createTemporalClient } from '../temporal-connection';
import { UsageError, type CliCommand } from './command';
import { assignContractCommand } from './commands/assign-contract';
import { assignPlanCommand } from './commands/assign-plan';
import { backfillCommand } from './commands/backfill';
import { catalogSyncCommand } from './commands/catalog-sync';
import { devSignInCommand } from './commands/dev-sign-in';
import { couponCreateCommand, promotionCodeCreateCommand } from './commands/discounts';
import { extendTrialCommand } from './commands/extend-trial';
import { healthReportCommand } from './commands/health-report';
import { reconcileCommand } from './commands/reconcile';
import { redriveEventsCommand } from './commands/redrive-events';
import { refundInvoiceCommand } from './commands/refund-invoice';
import { resendInvoiceCommand } from './commands/resend-invoice';
import { showCommand } from './commands/show';
import { undeliveredInvoicesCommand } from './commands/undelivered-invoices';

/** The operator CLI: `npm run billing -- <command> [options]`. */
const COMMANDS: CliCommand[] = [
  catalogSyncCommand,
  showCommand,
  assignPlanCommand,
  assignContractCommand,
  extendTrialCommand,
  redriveEventsCommand,
  reconcileCommand,
  backfillCommand,
  healthReportCommand,
  undeliveredInvoicesCommand,
  resendInvoiceCommand,
  refundInvoiceCommand,
  devSignInCommand,
  couponCreateCommand,
  promotionCodeCreateCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: npm run billing -- <command> [options]',
    '',
    ...COMMANDS.map(
      (c) =>
        `  ${c.name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}\n  ${' '.repeat(width)}  example: ${c.example}`,
    ),
    '',
    'Settings come from the environment (see .env.example).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help')) {
    process.stdout.write(
      `${command.summary}\nusage: npm run billing -- ${command.usage}\nexample: ${command.example}\n`,
    );
    return 0;
  }
  const config = loadConfigOrExit();
  const db = createDb({ url: config.database.url, poolMax: 2, applicationName: 'billing-cli' });
  const { client: temporal, connection } = createTemporalClient(config.temporal);
  try {
    await command.run(rest, {
      config,
      db,
      temporal,
      out: (line) => process.stdout.write(`${line}\n`),
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: ${err.message}\nusage: npm run billing -- ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await Promise.allSettled([db.destroy(), connection.close()]);
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
