/** What a poll saw: done with a value, or not yet (with a short description of what it saw instead). */
export type Observation<T> = { done: true; value: T } | { done: false; seen: string };

export const done = <T>(value: T): Observation<T> => ({ done: true, value });
export const notYet = (seen: string): Observation<never> => ({ done: false, seen });

export class DemoTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lastSeen: string) {
    super(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what} (last seen: ${lastSeen})`);
    this.name = 'DemoTimeoutError';
  }
}

/**
 * Polls `check` until it reports done, or throws a DemoTimeoutError naming `what` and the last thing it saw.
 * A thrown error from `check` counts as "not yet" (a service may be catching up) but is reported on timeout.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<Observation<T>>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastSeen: string;
  for (;;) {
    try {
      const observation = await check();
      if (observation.done) return observation.value;
      lastSeen = observation.seen;
    } catch (err) {
      lastSeen = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw new DemoTimeoutError(what, timeoutMs, lastSeen);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
