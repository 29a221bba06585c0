import { parseMailSinkArgs } from './cli-args';
import { createMailSink } from './index';

async function main(): Promise<void> {
  let args;
  try {
    args = parseMailSinkArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`mail-sink: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const sink = await createMailSink(args);
  process.stdout.write(`mail-sink: SMTP ${sink.smtpUrl}, inbox ${sink.httpUrl}/messages\n`);

  const shutdown = (): void => {
    sink.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`mail-sink: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
