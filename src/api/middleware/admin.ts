import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { safeEqual } from './auth';

/**
 * "Admin" means an operator of the billing service, not a customer: a user JWT never qualifies, whatever
 * its org role (`owner`, `admin` are roles inside one organization). Operators present one of the opaque
 * tokens in ADMIN_TOKENS; with none configured every admin call is refused.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token)
    throw new ApiError('UNAUTHORIZED', 'Send Authorization: Bearer <admin token>', undefined, {
      'WWW-Authenticate': 'Bearer',
    });
  const tokens = c.get('deps').config.auth.adminTokens;
  // Every configured token is compared (no early exit), so timing says nothing about which one is close.
  const matches = tokens.map((t) => safeEqual(t, token));
  if (!matches.includes(true))
    throw new ApiError(
      'UNAUTHORIZED',
      'Unknown admin token: admin endpoints take an operator token from ADMIN_TOKENS, never a user token',
    );
  await next();
});
