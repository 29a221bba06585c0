/**
 * The worker's Temporal Core metrics (Prometheus text, durations in seconds: src/runtime/temporal-runtime.ts),
 * read before and after a window so the report can say what happened in it: workflow task schedule-to-start and
 * execution latency (histograms summed over their labels), tasks polled, sticky cache evictions.
 */
export type MetricsSnapshot = Map<string, number>;

/** `name{labels} value` lines, summed per name and `le` bucket (labels other than `le` folded together). */
export function parsePrometheus(text: string): MetricsSnapshot {
  const out: MetricsSnapshot = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', raw = ''] = match;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    const key = le === undefined ? name : `${name}|${le}`;
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

export async function scrapeMetrics(url: string): Promise<MetricsSnapshot> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return parsePrometheus(await res.text());
}

export function counterDelta(before: MetricsSnapshot, after: MetricsSnapshot, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

export interface HistogramWindow {
  count: number;
  sumSeconds: number;
  /** Upper bucket bounds holding the quantile (seconds): "at most this". */
  p50: number;
  p99: number;
  max: number;
  /** The largest finite bucket bound: a quantile of Infinity means "above this". */
  lastBound: number;
}

/** `≤ 0.5 s`, or `> 10 s` for the overflow bucket. */
export function formatBound(seconds: number, lastBound: number): string {
  return Number.isFinite(seconds) ? `≤ ${seconds} s` : `> ${lastBound} s`;
}

/** A histogram's observations between two snapshots; quantiles as the bucket bound they fall under. */
export function histogramDelta(before: MetricsSnapshot, after: MetricsSnapshot, name: string): HistogramWindow | null {
  const buckets: [number, number][] = [];
  for (const [key, value] of after) {
    if (!key.startsWith(`${name}_bucket|`)) continue;
    const le = key.slice(name.length + 8);
    buckets.push([le === '+Inf' ? Infinity : Number(le), value - (before.get(key) ?? 0)]);
  }
  if (buckets.length === 0) return null;
  buckets.sort((a, b) => a[0] - b[0]);
  const count = counterDelta(before, after, `${name}_count`);
  const at = (q: number): number => buckets.find(([, cumulative]) => cumulative >= q * count)?.[0] ?? Infinity;
  const lastNonEmpty = buckets.find(([, cumulative]) => cumulative >= count)?.[0] ?? Infinity;
  return {
    count,
    sumSeconds: counterDelta(before, after, `${name}_sum`),
    p50: at(0.5),
    p99: at(0.99),
    max: lastNonEmpty,
    lastBound: Math.max(0, ...buckets.map(([le]) => le).filter(Number.isFinite)),
  };
}
