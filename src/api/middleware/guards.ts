import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { BILLING_WRITERS, isServiceAuthorization } from './auth';

function bearer(header: string | undefined): string {
  const match = /^Bearer ([\w.~+/=-]+)$/.exec(header ?? '');
  if (!match?.[1])
    throw new ApiError('UNAUTHORIZED', 'Send Authorization: Bearer <token>', undefined, {
      'WWW-Authenticate': 'Bearer',
    });
  return match[1];
}

/** Authenticates the user token; `write` also needs a billing role. The organization always comes from the token. */
export function authenticateUser(access: 'read' | 'write') {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = await c.get('deps').tokenVerifier.verify(bearer(c.req.header('authorization')));
    if (access === 'write' && !BILLING_WRITERS.includes(principal.role)) {
      throw new ApiError(
        'FORBIDDEN',
        `The ${principal.role} role cannot change billing; ask an owner or billing admin`,
      );
    }
    c.set('principal', principal);
    await next();
  });
}

/**
 * Either a service token or a valid user token, checked before the body is read (an anonymous caller's body is
 * never read); the handler then decides which organization the caller may name.
 */
export const authenticateUserOrService = createMiddleware<AppEnv>(async (c, next) => {
  const deps = c.get('deps');
  const authorization = c.req.header('authorization');
  if (!isServiceAuthorization(deps.config.auth.usageServiceTokens, authorization))
    await deps.tokenVerifier.verify(bearer(authorization));
  await next();
});

/** User request bodies are small JSON documents; the limit counts the actual bytes, not Content-Length. */
export const USER_BODY_LIMIT_BYTES = 16 * 1024;
export const USER_BODY_LIMIT = {
  maxBytes: USER_BODY_LIMIT_BYTES,
  tooLarge: () => new ApiError('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${USER_BODY_LIMIT_BYTES} bytes`),
};
