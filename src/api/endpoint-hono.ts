import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { readBoundedBody } from '../webhooks/bounded-body';
import type { Logger } from 'pino';
import type { AppDeps, AppEnv } from './context';
import {
  bodyLimitBytes,
  openApiRoute,
  parseJsonBody,
  readsBody,
  refuseBeforeBody,
  refuseTooLarge,
  validated,
  type Endpoint,
  type EndpointAuth,
  type EndpointRequest,
} from './endpoint';
import { requireAdmin } from './middleware/admin';
import { onError } from './middleware/on-error';
import { requireServiceToken } from './middleware/auth';
import { authenticateUser, authenticateUserOrService } from './middleware/guards';
import { idempotency } from './middleware/idempotency';
import { limitByOrganization } from './middleware/rate-limit';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request body's bytes, read once within the endpoint's limit. */
    bodyBytes: Uint8Array;
    /** The endpoint's validated query, params and body. */
    endpointInput: { query: unknown; params: unknown; body: unknown };
  }
}

const AUTH: Record<EndpointAuth, MiddlewareHandler<AppEnv>[]> = {
  public: [],
  'user-read': [authenticateUser('read'), limitByOrganization()],
  'user-write': [authenticateUser('write'), limitByOrganization()],
  admin: [requireAdmin],
  service: [requireServiceToken],
  // Authenticated before the body is read; the handler resolves the organization (a service names it in the body or query).
  'user-or-service': [authenticateUserOrService],
};

const EMPTY = new Uint8Array();

/** The body limit on the declared length and the endpoint's header checks, before authentication (endpoint.ts). */
function refuseFirst(e: Endpoint) {
  return createMiddleware<AppEnv>(async (c, next) => {
    refuseBeforeBody(e, { ...scope(c), header: (name: string) => c.req.header(name) });
    await next();
  });
}

/** Reads the body once, refusing it past the endpoint's limit; later readers (idempotency) get the same bytes. */
function readBody(e: Endpoint) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const maxBytes = bodyLimitBytes(e);
    // Not hono/body-limit, and not a look at `c.req.raw.body`: touching the Request's stream defeats @hono/node-server's
    // fast body path (measured: 0.5 instead of 0.2 ms of server CPU per webhook delivery). Without a length or a chunked
    // transfer a request has no body (HTTP/1.1).
    const length = c.req.header('content-length');
    const raw =
      length === undefined && c.req.header('transfer-encoding') === undefined
        ? EMPTY
        : await readBoundedBody(c.req.raw, length, maxBytes);
    if (raw === 'too_large') {
      // The unread rest is not worth draining: the connection closes after the refusal (middleware/unread-body.ts).
      refuseTooLarge(e, scope(c));
    }
    c.set('bodyBytes', raw);
    const whole =
      raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength
        ? raw.buffer
        : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    // Hono keeps promises in bodyCache (typed as the values); c.req.text() and json() then read these bytes.
    c.req.bodyCache.arrayBuffer = Promise.resolve(whole) as unknown as ArrayBuffer;
    await next();
  });
}

const queryOf = (c: Context<AppEnv>) =>
  Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => (v.length === 1 ? [k, v[0]] : [k, v])));

/** The endpoint's query, params, headers and body checked by its schemas, in that order (each failure one VALIDATION_FAILED). */
function validate(e: Endpoint) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const query = e.query ? await validated(e.query, queryOf(c)) : undefined;
    const params = e.params ? await validated(e.params, c.req.param()) : undefined;
    if (e.headers) await validated(e.headers, c.req.header());
    let body: unknown;
    if (e.body?.kind === 'json') body = await parseJsonBody(e.body, c.req.header('content-type'), c.get('bodyBytes'));
    else if (e.body?.kind === 'raw') body = c.get('bodyBytes');
    c.set('endpointInput', { query, params, body });
    await next();
  });
}

const scope = (c: Context<AppEnv>) => ({ deps: c.get('deps'), logger: c.get('logger'), requestId: c.get('requestId') });

/**
 * The handler's view of a Hono request. A class, not an object literal with arrow functions and getters: built on
 * every request, and per-request closures (each renamed by tsx's keep-names helper) cost GET /plans about 40 us of
 * CPU, doubling it (measured in-process, 35-42 against 70-78 us per request).
 */
class HonoEndpointRequest implements EndpointRequest {
  readonly deps: AppDeps;
  readonly logger: Logger;
  readonly requestId: string;
  readonly body: unknown;
  readonly query: unknown;
  readonly params: unknown;

  constructor(private readonly c: Context<AppEnv>) {
    const { query, params, body } = c.get('endpointInput');
    this.deps = c.get('deps');
    this.logger = c.get('logger');
    this.requestId = c.get('requestId');
    this.body = body;
    this.query = query;
    this.params = params;
  }

  header(name: string): string | undefined {
    return this.c.req.header(name);
  }

  setHeader(name: string, value: string): void {
    this.c.header(name, value);
  }

  get principal() {
    return this.c.get('principal');
  }

  get updateId() {
    return this.c.get('updateId');
  }
}

/** The handler's result as JSON with the endpoint's status. */
function answer(e: Endpoint) {
  return async (c: Context<AppEnv>) => {
    try {
      return c.json(await e.handle(new HonoEndpointRequest(c)), e.status ?? 200);
    } catch (err) {
      // Hono hands only `instanceof Error` values to onError and rethrows the rest as a bare 500; an error made
      // in another realm (Node's own, seen from a vm context such as Jest's) is one of those, and still gets the envelope.
      if (err instanceof Error) throw err;
      return onError(err as Error, c);
    }
  };
}

/**
 * The Hono routes of a group of endpoints (mounted with app.route()), each with its OpenAPI entry:
 * the declared body length and header checks, authentication, the body within its limit, Idempotency-Key handling for user writes, the request
 * schemas, then the handler's result as JSON.
 */
export function endpointRoutes(...endpoints: Endpoint[]): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  for (const e of endpoints) {
    app.openAPIRegistry.registerPath(openApiRoute(e));
    app.on(
      e.method.toUpperCase(),
      [e.path.replaceAll(/\/{(.+?)}/g, '/:$1')],
      refuseFirst(e),
      ...AUTH[e.auth],
      ...(readsBody(e) ? [readBody(e)] : []),
      ...(e.auth === 'user-write' ? [idempotency(`${e.method}:${e.path}`)] : []),
      validate(e),
      answer(e),
    );
  }
  return app;
}
