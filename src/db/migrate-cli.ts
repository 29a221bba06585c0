import { z } from 'zod';
import { loadConfigOrExit } from '../config';
import { createDb } from './database';
import { migrateDown, migrateToLatest } from './migrator';

const args = z
  .tuple([z.enum(['up', 'down'])])
  .rest(z.string())
  .safeParse(process.argv.slice(2));
if (!args.success) {
  process.stderr.write('usage: migrate-cli up | down [--steps N | --all]\n');
  process.exit(2);
}
const [direction, ...flags] = args.data;
const stepsFlag = flags.indexOf('--steps');
const steps =
  stepsFlag >= 0
    ? z.coerce
        .number()
        .int()
        .positive()
        .safeParse(flags[stepsFlag + 1])
    : undefined;
if (steps && !steps.success) {
  process.stderr.write('--steps needs a positive integer\n');
  process.exit(2);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const db = createDb({ url: config.database.url, poolMax: 1, applicationName: 'billing-migrate' });
  try {
    const lines =
      direction === 'up'
        ? await migrateToLatest(db)
        : await migrateDown(db, { steps: steps?.data, all: flags.includes('--all') });
    process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'nothing to do\n');
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
