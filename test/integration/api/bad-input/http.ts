import { request } from 'node:http';
import { connect } from 'node:net';

/** Long enough for a loaded CI machine; a request still unanswered then counts as a hang. */
export const REQUEST_TIMEOUT_MS = Number(process.env.BAD_INPUT_TIMEOUT_MS ?? 10_000);

export interface SweepRequest {
  method: string;
  /** Path and raw query, sent byte for byte. */
  target: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface SweepResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export class Hang extends Error {}

/** One request on its own connection through Node's HTTP client, bounded by REQUEST_TIMEOUT_MS. */
export function send(baseUrl: string, req: SweepRequest): Promise<SweepResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (req.body && !req.chunked) headers['content-length'] = String(req.body.length);
    const r = request({ hostname, port, method: req.method, path: req.target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Hang(`no answer within ${REQUEST_TIMEOUT_MS} ms to ${req.method} ${req.target.slice(0, 200)}`));
    }, REQUEST_TIMEOUT_MS);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (req.body && req.chunked) {
      for (let i = 0; i < req.body.length; i += 8192) r.write(req.body.subarray(i, i + 8192));
    } else if (req.body) {
      r.write(req.body);
    }
    r.end();
  });
}

/**
 * Bytes no well-behaved client would send (bare CR in a header, a body shorter than its
 * Content-Length, an unknown method), then half-closes; answers the server's raw reply.
 */
export function sendRaw(baseUrl: string, bytes: Buffer): Promise<SweepResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Hang(
          `no answer within ${REQUEST_TIMEOUT_MS} ms to ${JSON.stringify(bytes.subarray(0, 120).toString('latin1'))}`,
        ),
      );
    }, REQUEST_TIMEOUT_MS);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers,
        text: Buffer.from(rest.join('\r\n\r\n'), 'latin1').toString('utf8'),
      });
    });
  });
}
