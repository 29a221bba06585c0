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
  // The handlers come first: a SIGTERM right after the sink starts listening must still stop it cleanly.
  const started: { sink?: Awaited<ReturnType<typeof createMailSink>> } = {};
  const shutdown = (): void => {
    (started.sink ? started.sink.close() : Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  const sink = await createMailSink(args);
  started.sink = sink;
  process.stdout.write(`mail-sink: SMTP ${sink.smtpUrl}, inbox ${sink.httpUrl}/messages\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`mail-sink: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
