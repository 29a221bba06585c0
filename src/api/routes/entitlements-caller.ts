import { timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../context';
import { requireServiceOrganizations, type Principal } from '../middleware/auth';
import { ApiError } from '../errors';
import { rateLimited } from '../middleware/rate-limit';

export type EntitlementsCaller =
  { kind: 'service'; organizationId: string } | { kind: 'user'; organizationId: string; principal: Principal };

function isServiceToken(token: string, tokens: readonly string[]): boolean {
  const given = Buffer.from(token);
  return tokens.some((t) => {
    const known = Buffer.from(t);
    return known.length === given.length && timingSafeEqual(known, given);
  });
}

/**
 * Entitlements serve two callers: the frontend (a user JWT; always its own organization) and other
 * backend services gating actions (a service token naming the organization). Users are rate limited
 * per organization; services are trusted and sit on the hot path of every gated action.
 */
export async function resolveEntitlementsCaller(
  deps: AppDeps,
  authorization: string | undefined,
  requestedOrganizationId: string | undefined,
): Promise<EntitlementsCaller> {
  const token = /^Bearer ([\w.~+/=-]+)$/.exec(authorization ?? '')?.[1];
  if (!token)
    throw new ApiError('UNAUTHORIZED', 'Send Authorization: Bearer <user or service token>', undefined, {
      'WWW-Authenticate': 'Bearer',
    });
  if (isServiceToken(token, deps.config.auth.usageServiceTokens)) {
    if (!requestedOrganizationId)
      throw new ApiError('VALIDATION_FAILED', 'Service callers must name the organization', {
        issues: [{ path: 'organizationId', message: 'required with a service token' }],
      });
    requireServiceOrganizations(deps.config.auth, authorization, [requestedOrganizationId]);
    return { kind: 'service', organizationId: requestedOrganizationId };
  }
  const principal = await deps.tokenVerifier.verify(token);
  if (requestedOrganizationId && requestedOrganizationId !== principal.organizationId) {
    throw new ApiError('FORBIDDEN', "A user token can only see its own organization's entitlements");
  }
  const limited = await deps.rateLimiter.take(`org:${principal.organizationId}`);
  if (!limited.ok) throw rateLimited(limited.retryAfterSeconds);
  return { kind: 'user', organizationId: principal.organizationId, principal };
}
