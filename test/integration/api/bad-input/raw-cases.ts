import { RawConnection, chunk, head, type RawResponse } from '../../../helpers/raw-http';
import type { Operation } from './operations';

/** What a hostile request must end in: one error envelope (status and code), then a closed connection. */
export interface Outcome {
  status: number;
  code: string;
}

type Step =
  | { write: string | Buffer }
  | { wait: number }
  | { end: true }
  /** Sends `chunkBytes`-sized chunks of a chunked body until the server closes or `maxBytes` went out. */
  | { stream: { chunkBytes: number; maxBytes: number } }
  /** Sends the text one byte every `everyMs` until the server closes (or the text runs out). */
  | { drip: { text: string; everyMs: number } };

export interface RawCase {
  operation: string;
  name: string;
  steps: Step[];
  expect: Outcome;
  /** The case waits on a server timeout (run these side by side). */
  timed: boolean;
}

export interface Route {
  op: Operation;
  /** The request target, path parameters filled in. */
  target: string;
  /** The endpoint's body limit (0: it takes none). */
  limit: number;
  /** Headers of a caller the route accepts (empty for a public route). */
  credentials: Record<string, string>;
  /** What an anonymous caller streaming a body gets. */
  anonymousStream: Outcome;
}

const TOO_LARGE: Outcome = { status: 413, code: 'PAYLOAD_TOO_LARGE' };
const TIMEOUT: Outcome = { status: 408, code: 'REQUEST_TIMEOUT' };
const NOT_HTTP: Outcome = { status: 400, code: 'INVALID_REQUEST' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Every hostile request the raw sweep sends to one route, each with the one outcome it must have. */
export function rawCases(r: Route): RawCase[] {
  const { op, target, limit, credentials } = r;
  const m = op.method;
  const c = (name: string, steps: Step[], expect: Outcome, timed = false): RawCase => ({
    operation: `${m} ${op.path}`,
    name,
    steps,
    expect,
    timed,
  });
  const authed = { ...credentials, ...JSON_TYPE };
  const chunked = { ...authed, 'Transfer-Encoding': 'chunked' };
  const cases: RawCase[] = [
    c(
      'a declared body past the limit, no credentials',
      [{ write: head(m, target, { ...JSON_TYPE, 'Content-Length': limit + 1 }) }],
      TOO_LARGE,
    ),
    c(
      'a declared body past the limit, credentials',
      [{ write: head(m, target, { ...authed, 'Content-Length': limit + 1 }) }],
      TOO_LARGE,
    ),
    c(
      'a declared body of 10 GB',
      [{ write: head(m, target, { ...authed, 'Content-Length': 10_000_000_000 }) }, { write: 'x'.repeat(65_536) }],
      TOO_LARGE,
    ),
    c(
      'a chunked body streamed past the limit, credentials',
      [{ write: head(m, target, chunked) }, { stream: { chunkBytes: 16_384, maxBytes: 16_777_216 } }],
      TOO_LARGE,
    ),
    c(
      'a chunked body streamed without credentials',
      [
        { write: head(m, target, { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }) },
        { stream: { chunkBytes: 16_384, maxBytes: 4_194_304 } },
      ],
      r.anonymousStream,
    ),
    c(
      'a Content-Length body past the limit sent at once, credentials',
      [
        { write: head(m, target, { ...authed, 'Content-Length': limit + 65_536 }) },
        { write: Buffer.alloc(limit + 65_536, 0x7b) },
      ],
      TOO_LARGE,
    ),
    c(
      'a malformed chunk size',
      [{ write: head(m, target, chunked) }, { wait: 50 }, { write: 'zz\r\n{}\r\n0\r\n\r\n' }],
      limit === 0 ? TOO_LARGE : NOT_HTTP,
    ),
    c(
      'a chunk longer than its declared size',
      [{ write: head(m, target, chunked) }, { wait: 50 }, { write: '2\r\n{"a":1}\r\n0\r\n\r\n' }],
      limit === 0 ? TOO_LARGE : NOT_HTTP,
    ),
    c(
      'both Content-Length and Transfer-Encoding',
      [{ write: head(m, target, { ...chunked, 'Content-Length': 2 }) + '2\r\n{}\r\n0\r\n\r\n' }],
      NOT_HTTP,
    ),
    c(
      'a Content-Length that is not a number',
      [{ write: head(m, target, { ...authed, 'Content-Length': 'abc' }) }],
      NOT_HTTP,
    ),
    c('a negative Content-Length', [{ write: head(m, target, { ...authed, 'Content-Length': -1 }) }], NOT_HTTP),
    c(
      'two different Content-Lengths',
      [{ write: head(m, target, authed).replace('\r\n\r\n', '\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n') }],
      NOT_HTTP,
    ),
    c(
      'a request head past the header limit',
      [{ write: head(m, target, { ...authed, 'X-Padding': 'p'.repeat(40_000) }) }],
      { status: 431, code: 'HEADERS_TOO_LARGE' },
    ),
    c(
      'ten thousand small headers',
      [
        {
          write: head(m, target, Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`X-H${i}`, 'v']))),
        },
      ],
      { status: 431, code: 'HEADERS_TOO_LARGE' },
    ),
    c(
      'a bare CR inside a header value',
      [{ write: head(m, target, authed).replace('\r\n\r\n', '\r\nX-Bad: a\rb\r\n\r\n') }],
      NOT_HTTP,
    ),
    c(
      'a NUL inside a header value',
      [{ write: head(m, target, authed).replace('\r\n\r\n', '\r\nX-Bad: a\u0000b\r\n\r\n') }],
      NOT_HTTP,
    ),
    c(
      'a folded (obs-fold) header line',
      [{ write: head(m, target, authed).replace('\r\n\r\n', '\r\nX-A: 1\r\n  folded\r\n\r\n') }],
      NOT_HTTP,
    ),
    c(
      'a space before the colon',
      [{ write: head(m, target, authed).replace('\r\n\r\n', '\r\nX-A : 1\r\n\r\n') }],
      NOT_HTTP,
    ),
    c('an unknown method', [{ write: head('BREW', target, authed) }], NOT_HTTP),
    c('a request line without a version (HTTP/0.9)', [{ write: `${m} ${target}\r\n\r\n` }], NOT_HTTP),
    c('HTTP/1.0 without a Host header', [{ write: `${m} ${target} HTTP/1.0\r\n\r\n` }], NOT_HTTP),
    c('HTTP/1.1 without a Host header', [{ write: `${m} ${target} HTTP/1.1\r\n\r\n` }], NOT_HTTP),
    c('two Host headers', [{ write: head(m, target, { ...authed, Host: 'evil.example' }) }], NOT_HTTP),
    c('an unsupported HTTP version', [{ write: head(m, target, authed).replace('HTTP/1.1', 'HTTP/9.9') }], NOT_HTTP),
    c(
      'bytes that are not HTTP at all',
      [{ write: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00]) }],
      NOT_HTTP,
    ),
    c(
      'a refused request with another pipelined behind it (the second is not answered)',
      [{ write: head(m, target, { ...authed, 'Content-Length': limit + 1 }) + head('GET', '/healthz') }],
      TOO_LARGE,
    ),
    c(
      'Expect: 100-continue with a body past the limit',
      [{ write: head(m, target, { ...authed, 'Content-Length': limit + 1, Expect: '100-continue' }) }],
      TOO_LARGE,
    ),
    c('headers that never finish', [{ write: `${m} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` }], TIMEOUT, true),
    c(
      'headers dripped a byte at a time (slowloris)',
      [{ drip: { text: head(m, target, { ...authed, 'X-Slow': 's'.repeat(200) }), everyMs: 40 } }],
      TIMEOUT,
      true,
    ),
    c('a connection that sends nothing', [], TIMEOUT, true),
  ];
  if (limit > 0) {
    const declared = Math.min(limit, 64);
    cases.push(
      c(
        'a body that stalls halfway',
        [{ write: head(m, target, { ...authed, 'Content-Length': declared }) + '{'.repeat(declared / 2) }],
        TIMEOUT,
        true,
      ),
      c(
        'a chunked body that stalls without its last chunk',
        [{ write: head(m, target, chunked) + chunk('{"a":') }],
        TIMEOUT,
        true,
      ),
      c(
        'a body cut short by the client closing its side',
        [
          { write: head(m, target, { ...authed, 'Content-Length': declared }) + '{'.repeat(declared / 2) },
          { wait: 30 },
          { end: true },
        ],
        NOT_HTTP,
      ),
    );
  }
  return cases;
}

export interface Observed {
  response: RawResponse | undefined;
  /** Responses after the first (pipelined requests answered after a refusal). */
  more: number;
  closed: boolean;
}

/** Runs a case on its own connection: the first final (non-1xx) answer, and whether the server closed the connection. */
export async function runCase(baseUrl: string, k: RawCase, waitMs: number): Promise<Observed> {
  const conn = await RawConnection.open(baseUrl);
  try {
    for (const step of k.steps) {
      if ('write' in step) conn.write(step.write);
      else if ('wait' in step) await new Promise((r) => setTimeout(r, step.wait));
      else if ('end' in step) conn.socket.end();
      else if ('stream' in step) {
        const piece = chunk('x'.repeat(step.stream.chunkBytes));
        for (let sent = 0; sent < step.stream.maxBytes && !conn.closed; sent += step.stream.chunkBytes) {
          if (!conn.write(piece)) break;
          // Let the server read (and refuse): a client that waits on its socket's drain, as any real one does.
          if (conn.socket.writableNeedDrain) await new Promise((r) => conn.socket.once('drain', r).once('close', r));
        }
      } else {
        for (const ch of step.drip.text) {
          if (conn.closed || !conn.write(ch)) break;
          await new Promise((r) => setTimeout(r, step.drip.everyMs));
        }
      }
    }
    const closed = await conn.closedWithin(waitMs);
    const answers = conn.finalResponses();
    return { response: answers[0], more: Math.max(0, answers.length - 1), closed };
  } finally {
    conn.destroy();
  }
}

/** What is wrong with what a case observed, or null. */
export function outcomeProblem(k: RawCase, seen: Observed): string | null {
  if (!seen.closed) return 'the connection was left open';
  if (!seen.response) return `closed without an answer (expected ${k.expect.status})`;
  let code: string | undefined;
  try {
    code = (JSON.parse(seen.response.text) as { error?: { code?: string } }).error?.code;
  } catch {
    return `not an envelope: ${seen.response.status} ${seen.response.text.slice(0, 120)}`;
  }
  if (seen.response.status !== k.expect.status || code !== k.expect.code)
    return `answered ${seen.response.status} ${code} (expected ${k.expect.status} ${k.expect.code})`;
  if (seen.more > 0) return `${seen.more} pipelined request(s) answered after the refusal`;
  return null;
}
