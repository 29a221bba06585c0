import type { RouteConfig, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { AppDeps } from './context';
import { ApiError, requestValidationFailed } from './errors';
import type { Principal } from './middleware/auth';

/**
 * Who may call an endpoint. `user-read` / `user-write`: a user token (write: a billing role, plus
 * Idempotency-Key handling), rate limited per organization; `admin`: an operator token; `service`: a
 * usage service token; `user-or-service`: either, resolved by the handler (it names the organization);
 * `public`: no token (Stripe's deliveries prove themselves by their signature, checked by the handler).
 */
export type EndpointAuth = 'public' | 'user-read' | 'user-write' | 'admin' | 'service' | 'user-or-service';

/** What an endpoint's request body is: JSON checked by a schema, or the raw bytes (a signature covers them). */
export type BodySpec<T> = { kind: 'json'; schema: z.ZodType<T>; required: boolean } | { kind: 'raw' };

export const jsonBody = <S extends z.ZodType>(
  schema: S,
  opts: { required: boolean } = { required: true },
): BodySpec<z.output<S>> => ({ kind: 'json', schema: schema as z.ZodType<z.output<S>>, required: opts.required });
export const rawBody: BodySpec<Uint8Array> = { kind: 'raw' };

/** The request as every handler sees it, whichever adapter (Hono, or the node:http one) received it. */
export interface EndpointRequest<B = unknown, Q = unknown, P = unknown> {
  deps: AppDeps;
  logger: Logger;
  requestId: string;
  /** Methods of the request object: call them on it (`r.header(…)`), never detached. */
  header(name: string): string | undefined;
  /** Adds a response header (for example Cache-Control). */
  setHeader(name: string, value: string): void;
  body: B;
  query: Q;
  params: P;
  /** The authenticated user (user-read and user-write endpoints only). */
  principal: Principal;
  /**
   * The Temporal update id (user-write endpoints only): the operation (method and path) and the caller's
   * Idempotency-Key, or a fresh one, so one key used for two operations never names one update.
   */
  updateId: string;
}

/** The request before its body is parsed (what a body-limit refusal sees). */
export type RequestScope = Pick<EndpointRequest, 'deps' | 'logger' | 'requestId'>;
/** The request before authentication and before its body is read: the scope and the headers. */
export type HeaderScope = RequestScope & Pick<EndpointRequest, 'header'>;

/**
 * One endpoint, defined once: method, path (OpenAPI style, relative to its group's mount point), its
 * documentation, who may call it, its body limit, its request schemas and its handler. From it come the
 * Hono route and its OpenAPI entry (endpoint-hono.ts) and, where a benchmark asked for it, the raw
 * node:http adapter (endpoint-node.ts).
 */
export interface EndpointDefinition<B = undefined, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  auth: EndpointAuth;
  /**
   * Bodies past `maxBytes` are refused with `tooLarge` before they are read in full (a declared Content-Length
   * before any authentication work). Unset: DEFAULT_BODY_LIMIT_BYTES with a body, none without one.
   */
  bodyLimit?: { maxBytes: number; tooLarge: (r: RequestScope) => Error };
  /** Checks on the headers alone, run with the body limit before authentication and before the body is read. */
  beforeBody?: (r: HeaderScope) => void;
  query?: Q;
  params?: P;
  headers?: z.ZodType;
  body?: BodySpec<B>;
  responses: RouteConfig['responses'];
  /** The success status (default 200); the handler's result is its JSON body. */
  status?: 200 | 201;
  handle(r: EndpointRequest<B, z.output<Q>, z.output<P>>): unknown;
  /**
   * Also answered by the raw node:http adapter generated from this definition (src/api/endpoint-node.ts):
   * set only where a benchmark shows the Fetch-API layer is a cost worth skipping.
   */
  nodeAdapter?: true;
}

/** An endpoint with its types erased, as the adapters hold it. */
export type Endpoint = EndpointDefinition<unknown, z.ZodType, z.ZodType>;

export function defineEndpoint<B = undefined, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType>(
  def: EndpointDefinition<B, Q, P>,
): Endpoint {
  if (def.nodeAdapter && !['public', 'service'].includes(def.auth))
    throw new Error(`${def.method} ${def.path}: the node:http adapter serves public and service endpoints only`);
  return def as unknown as Endpoint;
}

/** Either scheme is accepted (typed wide: a literal of two differently keyed objects fails OpenAPI's type). */
const USER_OR_SERVICE: Record<string, string[]>[] = [{ userToken: [] }, { serviceToken: [] }];

const SECURITY: Record<EndpointAuth, RouteConfig['security']> = {
  public: undefined,
  'user-read': [{ userToken: [] }],
  'user-write': [{ userToken: [] }],
  admin: [{ adminToken: [] }],
  service: [{ serviceToken: [] }],
  'user-or-service': USER_OR_SERVICE,
};

/** The endpoint's OpenAPI entry (the route config @hono/zod-openapi registers). */
export function openApiRoute(e: Endpoint): RouteConfig {
  const security = SECURITY[e.auth];
  const request: NonNullable<RouteConfig['request']> = {};
  if (e.params) request.params = e.params as NonNullable<RouteConfig['request']>['params'];
  if (e.headers) request.headers = e.headers as NonNullable<RouteConfig['request']>['headers'];
  if (e.query) request.query = e.query as NonNullable<RouteConfig['request']>['query'];
  if (e.body?.kind === 'json')
    request.body = { required: e.body.required, content: { 'application/json': { schema: e.body.schema } } };
  return {
    method: e.method,
    path: e.path,
    tags: e.tags,
    summary: e.summary,
    ...(e.description === undefined ? {} : { description: e.description }),
    ...(security === undefined ? {} : { security }),
    ...(Object.keys(request).length === 0 ? {} : { request }),
    responses: e.responses,
  };
}

/** A request schema's verdict on a value: its output, or the one VALIDATION_FAILED error. */
export async function validated(schema: z.ZodType, value: unknown): Promise<unknown> {
  const result = await schema.safeParseAsync(value);
  if (!result.success) throw requestValidationFailed(result.error.issues);
  return result.data;
}

/** Content types a JSON body may declare (the gate @hono/zod-openapi applied before). */
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
/** Media types whose body is parsed as JSON; any other accepted one leaves the body `{}` for the schema. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const utf8 = new TextDecoder();

/**
 * A JSON body's parse and validation, the same in both adapters: a content type other than JSON (or a
 * body without one) is refused as unsupported (415 → INVALID_REQUEST); the bytes are decoded as UTF-8
 * (a leading BOM dropped, like the Fetch API's `json()`), malformed JSON is a 400, and the schema decides.
 * An optional body sent without a content type is `{}`, unvalidated.
 */
export async function parseJsonBody(
  spec: Extract<BodySpec<unknown>, { kind: 'json' }>,
  contentType: string | undefined,
  raw: Uint8Array,
): Promise<unknown> {
  if (contentType ? !JSON_REQUEST.test(contentType) : raw.byteLength > 0)
    throw new HTTPException(415, { message: 'Unsupported Media Type' });
  if (!spec.required && !contentType) return {};
  let value: unknown = {};
  if (contentType && JSON_MEDIA_TYPE.test(contentType.split(';')[0]?.trim() ?? '')) {
    try {
      value = JSON.parse(utf8.decode(raw));
    } catch {
      throw new HTTPException(400, { message: 'Malformed JSON in request body' });
    }
  }
  return validated(spec.schema, value);
}

/** Whether an endpoint needs its body bytes before the handler runs. */
export const readsBody = (e: Endpoint): boolean => e.body !== undefined || e.bodyLimit !== undefined;

/** A JSON body's limit when its endpoint names none: user request bodies are small documents. */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

/** The most bytes an endpoint reads: its own limit, the default for a body, nothing for an endpoint without one. */
export const bodyLimitBytes = (e: Endpoint): number =>
  e.bodyLimit?.maxBytes ?? (readsBody(e) ? DEFAULT_BODY_LIMIT_BYTES : 0);

/** Thrown by an adapter when a request's body passes the endpoint's limit. */
export function refuseTooLarge(e: Endpoint, scope: RequestScope): never {
  const max = bodyLimitBytes(e);
  throw (
    e.bodyLimit?.tooLarge(scope) ??
    new ApiError(
      'PAYLOAD_TOO_LARGE',
      max === 0 ? 'This endpoint takes no request body' : `Request bodies are limited to ${max} bytes`,
    )
  );
}

/**
 * What both adapters check first, on the headers alone, before any authentication work and before a body
 * byte is read: a declared Content-Length past the endpoint's limit (Node's parser has already refused one
 * that is not a number), a streamed body sent to an endpoint that takes none, then the endpoint's own checks.
 */
export function refuseBeforeBody(e: Endpoint, r: HeaderScope): void {
  const max = bodyLimitBytes(e);
  const declared = r.header('content-length');
  if (declared !== undefined && !(/^\d+$/.test(declared) && Number(declared) <= max)) refuseTooLarge(e, r);
  if (max === 0 && r.header('transfer-encoding') !== undefined) refuseTooLarge(e, r);
  e.beforeBody?.(r);
}
