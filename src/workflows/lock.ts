/**
 * Serializes the steps that call activities and mutate state (update handlers, event processing, deadlines):
 * without it an update could interleave with a renewal sync between two awaits. Deterministic: a promise chain.
 */
export interface Lock {
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly busy: boolean;
}

export function createLock(): Lock {
  let tail: Promise<unknown> = Promise.resolve();
  let holders = 0;
  return {
    get busy() {
      return holders > 0;
    },
    run<T>(fn: () => Promise<T>): Promise<T> {
      holders++;
      const result = tail.then(fn);
      tail = result.then(
        () => holders--,
        () => holders--,
      );
      return result;
    },
  };
}
