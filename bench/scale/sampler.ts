import { readProc, type ProcSample } from './processes';

export interface ProcessSeries {
  name: string;
  /** [seconds since start, RSS bytes] every interval. */
  rss: [number, number][];
  cpuAtStart: number;
  cpuAtEnd: number;
  maxRss: number;
}

/**
 * Samples resident memory and CPU time of the benchmark's processes (worker, API, simulator, Temporal,
 * the driver itself) from /proc every `intervalMs`, so the report can say where the time went.
 */
export function startSampler(processes: { name: string; pid: number }[], intervalMs = 1_000) {
  const started = Date.now();
  const series = new Map<string, ProcessSeries>();
  const sample = (): void => {
    const t = (Date.now() - started) / 1000;
    for (const p of processes) {
      const s: ProcSample | null = readProc(p.pid);
      if (!s) continue;
      const entry = series.get(p.name) ?? {
        name: p.name,
        rss: [],
        cpuAtStart: s.cpuSeconds,
        cpuAtEnd: s.cpuSeconds,
        maxRss: 0,
      };
      entry.rss.push([t, s.rssBytes]);
      entry.cpuAtEnd = s.cpuSeconds;
      entry.maxRss = Math.max(entry.maxRss, s.rssBytes);
      series.set(p.name, entry);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): ProcessSeries[] {
      clearInterval(timer);
      sample();
      return [...series.values()];
    },
  };
}

/** The RSS series thinned to about `points` evenly spaced samples (for a one-line "over time" view). */
export function thin(rss: [number, number][], points: number): [number, number][] {
  if (rss.length <= points) return rss;
  const step = (rss.length - 1) / (points - 1);
  return Array.from({ length: points }, (_, i) => rss[Math.round(i * step)] as [number, number]);
}
