/**
 * An open-loop load generator: request i is due at start + i / rate whether or not earlier ones
 * have answered, and its latency counts from that due time (so a stalled server is charged for the
 * requests it delayed — no coordinated omission). autocannon's fixed-rate mode is not used for
 * this: each connection fires its per-second quota back to back at the start of every second, and
 * its correction assumes a 1 ms interval, so one pause inflates p99 by hundreds of synthetic samples.
 */
import http from 'node:http';

export interface OpenLoopOptions {
  url: string;
  ratePerSecond: number;
  seconds: number;
  /** Keep-alive sockets; a due request waits for a free one, and that wait counts as latency. */
  connections: number;
  requests: { path: string; headers?: Record<string, string> }[];
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  completedPerSecond: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  p999ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** This process's CPU over the run (100 = one core): a generator near 100 measures itself, not the server. */
  generatorCpuPercent: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (ms: number) => Math.round(ms * 100) / 100;

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { hostname, port } = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const intervalMs = 1000 / opts.ratePerSecond;
  const latencies: number[] = [];
  let [sent, finished, non2xx, errors] = [0, 0, 0, 0];
  const start = performance.now();
  const cpuBefore = process.cpuUsage();

  await new Promise<void>((resolve) => {
    const done = () => {
      finished++;
      if (finished === total) resolve();
    };
    const send = (dueAt: number, request: OpenLoopOptions['requests'][number]) => {
      const req = http.get({ agent, hostname, port, path: request.path, headers: request.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - dueAt);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) non2xx++;
          done();
        });
      });
      req.on('error', () => {
        errors++;
        done();
      });
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        send(start + sent * intervalMs, opts.requests[sent % opts.requests.length]!);
        sent++;
      }
      if (sent === total) clearInterval(timer);
    }, 1);
  });
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    offeredPerSecond: opts.ratePerSecond,
    completedPerSecond: Math.round(latencies.length / elapsedS),
    p50ms: round(percentile(latencies, 0.5)),
    p90ms: round(percentile(latencies, 0.9)),
    p99ms: round(percentile(latencies, 0.99)),
    p999ms: round(percentile(latencies, 0.999)),
    maxMs: round(latencies.at(-1) ?? 0),
    non2xx,
    errors,
    generatorCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / elapsedS),
  };
}
