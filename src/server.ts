import { loadConfigOrExit } from './config';
import { createApiRuntime } from './runtime/api-runtime';
import { exitOnSignalWhileStarting, runUntilSignal } from './runtime/runtime';

/** Composition root of the HTTP API (src/runtime/api-runtime.ts). */
async function main(): Promise<never> {
  exitOnSignalWhileStarting();
  const config = loadConfigOrExit();
  const runtime = createApiRuntime(config);
  return runUntilSignal(runtime, {
    logger: runtime.deps.logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    finishing: 'finishing in-flight requests',
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`billing API failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
