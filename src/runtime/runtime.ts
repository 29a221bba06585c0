import type { Logger } from 'pino';
import type { BackgroundService } from '../background/service';

/** What src/worker.ts and src/server.ts run: built by createWorkerRuntime / createApiRuntime. */
export interface Runtime {
  readonly services: readonly BackgroundService[];
  /** Starts the main job and every background service, in order. */
  start(): Promise<void>;
  /** Stops in reverse order, then releases what the runtime opened itself (never what an override handed it). */
  stop(): Promise<void>;
  /** Settles only when the main job fails on its own (the Temporal worker dies): the process must stop. */
  readonly failed: Promise<unknown>;
}

/** Starts services in list order (stopAll stops them in reverse: a runtime lists its main job last so it stops first). */
export function startAll(services: readonly BackgroundService[]): void {
  for (const service of services) service.start();
}

export async function stopAll(services: readonly BackgroundService[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (err) {
      logger.error({ err, service: service.name }, 'service did not stop cleanly');
    }
  }
}

/** Keeps the services a selection names, in the runtime's own order. */
export function selected<T extends string>(all: readonly T[], only: readonly T[] | undefined): Set<T> {
  return new Set(all.filter((name) => !only || only.includes(name)));
}

const exitAtOnce = () => process.exit(0);

/**
 * Called first by an entry point: until runUntilSignal takes over, SIGINT or SIGTERM ends the process at once.
 * Nothing has started that needs draining, and no library (the Temporal SDK installs its own handlers) may
 * swallow the signal while the runtime is built (bundling the workflows takes seconds): a SIGTERM then used
 * to leave the worker running forever.
 */
export function exitOnSignalWhileStarting(): void {
  process.on('SIGINT', exitAtOnce);
  process.on('SIGTERM', exitAtOnce);
}

/**
 * Runs a runtime as a process: start, wait for SIGINT/SIGTERM (a second one is ignored) or a failure of
 * the main job, stop within `shutdownTimeoutMs` (else exit 1), exit 0 after a signal and 1 after a failure.
 */
export async function runUntilSignal(
  runtime: Runtime,
  opts: {
    logger: Logger;
    shutdownTimeoutMs: number;
    finishing: string;
    /** Last, after the runtime stopped (e.g. export the spans still batched). */
    afterStop?: () => Promise<void>;
  },
): Promise<never> {
  const { logger } = opts;
  const stopped = new Promise<{ signal: string } | { failure: unknown }>((resolve) => {
    process.off('SIGINT', exitAtOnce);
    process.off('SIGTERM', exitAtOnce);
    process.on('SIGINT', () => resolve({ signal: 'SIGINT' }));
    process.on('SIGTERM', () => resolve({ signal: 'SIGTERM' }));
    runtime.failed.then((failure) => resolve({ failure }));
  });
  await runtime.start();
  const reason = await stopped;
  if ('signal' in reason) logger.info({ signal: reason.signal }, `shutting down: ${opts.finishing}`);
  else logger.fatal({ err: reason.failure }, 'failed; shutting down');
  setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(1);
  }, opts.shutdownTimeoutMs).unref();
  await runtime.stop();
  await opts.afterStop?.().catch((err: unknown) => logger.warn({ err }, 'after-stop step failed'));
  logger.info('stopped');
  process.exit('signal' in reason ? 0 : 1);
}
