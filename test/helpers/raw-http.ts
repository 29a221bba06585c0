import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * One client socket driven byte by byte, for what fetch cannot send: partial, stalled, chunked or malformed
 * requests. It collects what the server answers and notices when the server closes the connection.
 */
export class RawConnection {
  private received = Buffer.alloc(0);
  private closedAt: number | undefined;
  private readonly waiters = new Set<() => void>();
  readonly opened = Date.now();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // A reset (the server closed while we were still sending) is a close too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAt = Date.now();
      this.wake();
    });
  }

  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes bytes if the socket still takes them (false once the server has closed it). */
  write(bytes: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(bytes);
    return true;
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  /** Milliseconds from open to the server's close (undefined while open). */
  get closedAfterMs(): number | undefined {
    return this.closedAt === undefined ? undefined : this.closedAt - this.opened;
  }

  /** The n-th complete response (0-based) in what the server sent, once it is there; undefined on timeout. */
  async response(index = 0, timeoutMs = 5_000): Promise<RawResponse | undefined> {
    await this.until(() => parseResponses(this.received).length > index || this.closed, timeoutMs);
    return parseResponses(this.received)[index];
  }

  /** Whether the server closed the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    await this.until(() => this.closed, timeoutMs);
    return this.closed;
  }

  /** The complete final (non-1xx) responses received so far. */
  finalResponses(): RawResponse[] {
    return parseResponses(this.received).filter((r) => r.status >= 200);
  }

  /** Everything the server sent, as text. */
  get raw(): string {
    return this.received.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  private until(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        finish();
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** The complete responses (each with a Content-Length body, as this API always sends) in the bytes received. */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = bytes;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return out;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return out;
    out.push({
      status: Number(statusLine.split(' ')[1] ?? 0),
      headers,
      text: rest.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    rest = rest.subarray(end + 4 + length);
  }
}

/** A request head, CRLF-terminated, with a Host header first. */
export function head(method: string, target: string, headers: Record<string, string | number> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** One chunk of a chunked body. */
export const chunk = (data: string | Buffer): string =>
  `${Buffer.byteLength(data).toString(16)}\r\n${data.toString()}\r\n`;
