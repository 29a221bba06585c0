import { writeFileSync } from 'node:fs';
import { GoLiveArgsError, parseGoLiveOptions, USAGE } from './options';
import { runGoLive } from './run';

async function main(): Promise<number> {
  let options;
  try {
    options = parseGoLiveOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof GoLiveArgsError)) throw err;
    console.error(`test:stripe: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  // Ctrl-C stops starting journeys; the ones running finish their step and cleanup still runs.
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const report = await runGoLive(options, (line) => console.log(line), abort.signal);
  writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Report: ${options.reportFile}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
