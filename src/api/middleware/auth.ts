import { timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Config } from '../../config';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';

export const ROLES = ['owner', 'admin', 'billing_admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
/** Roles that may change billing; members may only read. */
export const BILLING_WRITERS: readonly Role[] = ['owner', 'admin', 'billing_admin'];

export interface Principal {
  userId: string;
  organizationId: string;
  role: Role;
  email?: string;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  org_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'org_id must be 1-64 characters of [A-Za-z0-9_-]'),
  role: z.enum(ROLES),
  email: z.email().optional(),
  exp: z.number(),
  iat: z.number().optional(),
});

/** Clocks of the issuer and of this service may disagree by this much. */
const CLOCK_SKEW_SECONDS = 60;

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** HS256 with a shared secret, or asymmetric keys from a JWKS URL; `alg: none` is never accepted. */
export function createTokenVerifier(
  auth: Config['auth'],
  opts: { cacheSize?: number; now?: () => number } = {},
): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl))
    : new TextEncoder().encode(auth.jwtSecret);
  const algorithms = auth.jwksUrl ? ['RS256', 'ES256', 'EdDSA'] : ['HS256'];
  // A frontend sends the same token many times; a verified token is valid until its exp, so the
  // result is cached (bounded, oldest evicted first) and the signature is checked once.
  const cache = new Map<string, { principal: Principal; expMs: number }>();
  const cacheSize = opts.cacheSize ?? 10_000;
  const now = opts.now ?? Date.now;

  async function verifySignature(token: string): Promise<{ principal: Principal; expMs: number }> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      const message = err instanceof joseErrors.JWTExpired ? 'The token has expired' : 'The token is invalid';
      throw new ApiError('UNAUTHORIZED', message);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new ApiError('UNAUTHORIZED', 'The token lacks valid sub, org_id or role claims');
    const { sub, org_id, role, email, exp, iat } = claims.data;
    const nowSeconds = now() / 1000;
    if (iat !== undefined && iat > nowSeconds + CLOCK_SKEW_SECONDS)
      throw new ApiError('UNAUTHORIZED', 'The token is issued in the future');
    // A stolen long-lived token stays valid until it expires: the lifetime is bounded, from iat (or from now without one).
    if (exp - (iat ?? nowSeconds) > auth.maxLifetimeSeconds)
      throw new ApiError('UNAUTHORIZED', `The token lives longer than ${auth.maxLifetimeSeconds} s`);
    return { principal: { userId: sub, organizationId: org_id, role, email }, expMs: exp * 1000 };
  }

  return {
    async verify(token) {
      const cached = cache.get(token);
      if (cached && cached.expMs > now()) return cached.principal;
      if (cached) cache.delete(token);
      const verified = await verifySignature(token);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(token, verified);
      return verified.principal;
    },
  };
}

export function safeEqual(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

const bearerToken = (authorization: string | undefined): string | undefined =>
  /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];

/** Whether an Authorization header carries one of the configured service tokens. */
export function isServiceAuthorization(tokens: readonly string[], authorization: string | undefined): boolean {
  const token = bearerToken(authorization);
  return token !== undefined && tokens.some((t) => safeEqual(t, token));
}

/** Authenticates another backend service by one of the configured opaque tokens (never a user JWT); throws UNAUTHORIZED. */
export function authenticateService(tokens: readonly string[], authorization: string | undefined): void {
  if (!bearerToken(authorization))
    throw new ApiError('UNAUTHORIZED', 'Send Authorization: Bearer <service token>', undefined, {
      'WWW-Authenticate': 'Bearer',
    });
  if (!isServiceAuthorization(tokens, authorization)) throw new ApiError('UNAUTHORIZED', 'Unknown service token');
}

/**
 * A service token bound to organizations (`USAGE_SERVICE_TOKENS=token@org_a|org_b`) may name only those; an unbound
 * one any. Throws FORBIDDEN naming the first organization outside the binding (nothing of the request is done).
 */
export function requireServiceOrganizations(
  auth: Pick<Config['auth'], 'serviceTokenOrganizations'>,
  authorization: string | undefined,
  organizationIds: Iterable<string>,
): void {
  const token = bearerToken(authorization);
  const allowed = token === undefined ? undefined : auth.serviceTokenOrganizations.get(token);
  if (!allowed) return;
  for (const id of organizationIds)
    if (!allowed.includes(id))
      throw new ApiError('FORBIDDEN', `This service token may not act for organization ${id}`, {
        organizationId: id,
      });
}

/** authenticateService as Hono middleware, with the tokens of the request's configuration. */
export const requireServiceToken = createMiddleware<AppEnv>(async (c, next) => {
  authenticateService(c.get('deps').config.auth.usageServiceTokens, c.req.header('authorization'));
  await next();
});
