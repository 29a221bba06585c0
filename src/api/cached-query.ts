/**
 * A query's result reused for `cacheMs` (in flight or done): however often Prometheus (or several scrapers, or
 * someone hammering /metrics) scrapes, each count runs at most once per `cacheMs`. A failure is not kept.
 */
export function cached<T>(query: () => Promise<T>, cacheMs: number, now: () => number): () => Promise<T> {
  let entry: { at: number; result: Promise<T> } | undefined;
  return () => {
    const at = now();
    if (!entry || at - entry.at >= cacheMs) {
      const result = query();
      entry = { at, result };
      result.catch(() => {
        if (entry?.result === result) entry = undefined;
      });
    }
    return entry.result;
  };
}
