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
  /** How long after the last request is due the run waits for answers (default 10 s); the rest count as unanswered. */
  drainTimeoutMs?: number;
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  /** Requests answered (any status). */
  completed: number;
  completedPerSecond: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  p999ms: number;
  maxMs: number;
  non2xx: number;
  /** Connection failures and unanswered requests. */
  errors: number;
  /** Requests with no answer by the drain deadline (included in errors). */
  unanswered: number;
  /** Sockets reopened after the server closed one. */
  reconnects: number;
  /** This process's CPU over the run (100 = one core): a generator near 100 measures itself, not the server. */
  generatorCpuPercent: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * One keep-alive HTTP/1.1 connection with one request in flight, on a raw socket: requests are
 * pre-encoded and responses framed by Content-Length (which the API always sends), so the generator
 * spends a fraction of node:http's CPU on a machine it shares with the server. A socket the server
 * closed (its keep-alive timeout, an error) is replaced by a new one at the next send, and the
 * connect time counts in that request's latency; writing to the closed socket would lose the
 * request silently (a destroyed socket emits nothing more), and the run would never end.
 */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private current: { onDone: (status: number | null) => void } | null = null;
  private socket: net.Socket | null = null;
  reconnects = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onIdle: (c: Connection) => void,
  ) {
    this.socket = this.open();
  }

  get busy(): boolean {
    return this.current !== null;
  }

  send(request: Buffer, onDone: (status: number | null) => void): void {
    this.current = { onDone };
    if (!this.socket) {
      this.reconnects++;
      this.socket = this.open();
    }
    this.socket.write(request);
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }

  private open(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      const headerEnd = this.buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      if (!this.current) return this.fail(socket); // an answer nobody asked for: framing is lost
      const head = this.buffered.subarray(0, headerEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (Number.isNaN(length)) return this.fail(socket);
      if (this.buffered.length < headerEnd + 4 + length) return;
      this.buffered = this.buffered.subarray(headerEnd + 4 + length);
      const done = this.current.onDone;
      this.current = null;
      done(Number(head.slice(9, 12)));
      this.onIdle(this);
    });
    socket.on('error', () => this.fail(socket));
    socket.on('close', () => this.fail(socket));
    return socket;
  }

  /** The socket is unusable: its request in flight (if any) is an error, and the next send reconnects. */
  private fail(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    socket.destroy();
    const current = this.current;
    this.current = null;
    if (current) {
      current.onDone(null);
      this.onIdle(this);
    }
  }
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { hostname, port } = new URL(opts.url);
  const encoded = opts.requests.map(({ path, headers = {} }) =>
    Buffer.from(
      `GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n`,
    ),
  );
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const intervalMs = 1000 / opts.ratePerSecond;
  const drainTimeoutMs = opts.drainTimeoutMs ?? 10_000;
  const latencies: number[] = [];
  // Due requests waiting for a free connection, oldest first (a head index: shift() is O(n) in a backlog).
  const waiting: { dueAt: number; request: Buffer }[] = [];
  let waitingHead = 0;
  let [sent, finished, non2xx, errors, cursor] = [0, 0, 0, 0, 0];
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (resolveAll = resolve));

  const complete = (dueAt: number) => (status: number | null) => {
    if (finished === total) return; // after the drain deadline: already counted as unanswered
    if (status === null) errors++;
    else {
      latencies.push(performance.now() - dueAt);
      if (status < 200 || status > 299) non2xx++;
    }
    if (++finished === total) resolveAll();
  };
  const onIdle = (connection: Connection) => {
    if (waitingHead === waiting.length) return;
    const next = waiting[waitingHead++]!;
    if (waitingHead === waiting.length) waiting.length = waitingHead = 0;
    connection.send(next.request, complete(next.dueAt));
  };
  const connections = Array.from({ length: opts.connections }, () => new Connection(hostname, Number(port), onIdle));
  // Free connections are taken in turn, so every socket stays warm and none idles into the server's keep-alive timeout.
  const freeConnection = (): Connection | undefined => {
    for (let i = 0; i < connections.length; i++) {
      const c = connections[(cursor + i) % connections.length]!;
      if (!c.busy) {
        cursor = (cursor + i + 1) % connections.length;
        return c;
      }
    }
    return undefined;
  };
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      const dueAt = start + sent * intervalMs;
      const request = encoded[sent % encoded.length]!;
      const free = freeConnection();
      if (free) free.send(request, complete(dueAt));
      else waiting.push({ dueAt, request });
      sent++;
    }
    if (sent === total) clearInterval(timer);
  }, 1);
  // A request still unanswered drainTimeoutMs after the last one was due counts as unanswered, so a
  // lost request or a wedged server ends the run with a figure instead of waiting forever.
  let unanswered = 0;
  const deadline = setTimeout(
    () => {
      unanswered = total - finished;
      finished = total;
      resolveAll();
    },
    opts.seconds * 1000 + drainTimeoutMs,
  );
  await allDone;
  clearTimeout(deadline);
  clearInterval(timer);
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  return {
    offeredPerSecond: opts.ratePerSecond,
    completed: latencies.length,
    completedPerSecond: Math.round(latencies.length / elapsedS),
    p50ms: round(percentile(latencies, 0.5)),
    p90ms: round(percentile(latencies, 0.9)),
    p99ms: round(percentile(latencies, 0.99)),
    p999ms: round(percentile(latencies, 0.999)),
    maxMs: round(latencies.at(-1) ?? 0),
    non2xx,
    errors: errors + unanswered,
    unanswered,
    reconnects: connections.reduce((n, c) => n + c.reconnects, 0),
    generatorCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / elapsedS),
  };
}
