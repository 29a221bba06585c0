/**
 * An open-loop load generator: request i is due at start + i / rate whether or not earlier ones
 * have answered, and its latency counts from that due time (so a stalled server is charged for the
 * requests it delayed — no coordinated omission). autocannon's fixed-rate mode is not used for
 * this: each connection fires its per-second quota back to back at the start of every second, and
 * its correction assumes a 1 ms interval, so one pause inflates p99 by hundreds of synthetic samples.
 */
import net from 'node:net';

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

/**
 * One keep-alive HTTP/1.1 connection with one request in flight, on a raw socket: requests are
 * pre-encoded and responses framed by Content-Length (which the API always sends), so the generator
 * spends a fraction of node:http's CPU on a machine it shares with the server.
 */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private current: { dueAt: number; onDone: (status: number | null) => void } | null = null;
  private readonly socket: net.Socket;

  constructor(host: string, port: number, onIdle: (c: Connection) => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      const headerEnd = this.buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0 || !this.current) return;
      const head = this.buffered.subarray(0, headerEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (Number.isNaN(length)) return this.fail();
      if (this.buffered.length < headerEnd + 4 + length) return;
      this.buffered = this.buffered.subarray(headerEnd + 4 + length);
      const done = this.current.onDone;
      this.current = null;
      done(Number(head.slice(9, 12)));
      onIdle(this);
    });
    this.socket.on('error', () => this.fail());
    this.socket.on('close', () => this.fail());
  }

  get busy(): boolean {
    return this.current !== null;
  }

  send(request: Buffer, dueAt: number, onDone: (status: number | null) => void): void {
    this.current = { dueAt, onDone };
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(): void {
    const current = this.current;
    this.current = null;
    current?.onDone(null);
  }
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { hostname, port } = new URL(opts.url);
  const encoded = opts.requests.map(({ path, headers = {} }) =>
    Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
  );
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const intervalMs = 1000 / opts.ratePerSecond;
  const latencies: number[] = [];
  const waiting: { dueAt: number; request: Buffer }[] = [];
  let [sent, finished, non2xx, errors] = [0, 0, 0, 0];
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (resolveAll = resolve));

  const complete = (dueAt: number) => (status: number | null) => {
    if (status === null) errors++;
    else {
      latencies.push(performance.now() - dueAt);
      if (status < 200 || status > 299) non2xx++;
    }
    if (++finished === total) resolveAll();
  };
  const onIdle = (connection: Connection) => {
    const next = waiting.shift();
    if (next) connection.send(next.request, next.dueAt, complete(next.dueAt));
  };
  const connections = Array.from({ length: opts.connections }, () => new Connection(hostname, Number(port), onIdle));
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      const dueAt = start + sent * intervalMs;
      const request = encoded[sent % encoded.length]!;
      const free = connections.find((c) => !c.busy);
      if (free) free.send(request, dueAt, complete(dueAt));
      else waiting.push({ dueAt, request });
      sent++;
    }
    if (sent === total) clearInterval(timer);
  }, 1);
  await allDone;
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const c of connections) c.close();
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
