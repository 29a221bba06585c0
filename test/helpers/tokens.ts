import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config';
import type { Role } from '../../src/api/middleware/auth';

/** The HS256 secret the service uses when JWT_SECRET is unset (local and test runs). */
export const TEST_JWT_SECRET = loadConfig({}).auth.jwtSecret ?? '';

export async function userToken(
  claims: { org: string; role?: Role; sub?: string; email?: string; expiresIn?: string },
  secret = TEST_JWT_SECRET,
): Promise<string> {
  return new SignJWT({
    org_id: claims.org,
    role: claims.role ?? 'owner',
    ...(claims.email ? { email: claims.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? `user_${claims.org}`)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(secret));
}

export const TEST_SERVICE_TOKEN = 'svc_test_token_0123456789abcdef';

/** A METRICS_TOKENS entry for tests that scrape the billing figures of /metrics. */
export const TEST_METRICS_TOKEN = 'metrics_test_token_0123456789abcdef';
