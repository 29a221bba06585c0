import { SignJWT } from 'jose';
import type { Role } from '../api/middleware/auth';
import type { Config } from '../config';

/** Where a sign-in link lands: the billing page reads the token from the fragment (never sent to a server). */
export const SIGN_IN_PATH = '/billing/sign-in';

export interface DevSignIn {
  token: string;
  link: string;
  expiresAt: string;
}

export class DevSignInRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevSignInRefused';
  }
}

/**
 * A user token for local use, signed with the service's own HS256 secret as the product's identity provider would
 * sign it, and a link that signs a browser in to the billing page with it. Refused in production, and when user
 * tokens come from a JWKS (there is no secret to sign with: the identity provider issues them).
 */
export async function issueDevSignIn(
  config: Pick<Config, 'nodeEnv' | 'auth' | 'http'>,
  who: { organizationId: string; role: Role; email?: string | undefined; hours: number },
): Promise<DevSignIn> {
  if (config.nodeEnv === 'production') throw new DevSignInRefused('refused in production (NODE_ENV=production)');
  const secret = config.auth.jwtSecret;
  if (!secret || config.auth.jwksUrl)
    throw new DevSignInRefused('user tokens are verified against JWT_JWKS_URL: your identity provider issues them');
  const expires = new Date(Date.now() + who.hours * 3_600_000);
  const jwt = new SignJWT({
    org_id: who.organizationId,
    role: who.role,
    ...(who.email ? { email: who.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`dev_${who.role}_${who.organizationId}`)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expires.getTime() / 1000));
  if (config.auth.issuer) jwt.setIssuer(config.auth.issuer);
  if (config.auth.audience) jwt.setAudience(config.auth.audience);
  const token = await jwt.sign(new TextEncoder().encode(secret));
  return { token, link: `${config.http.publicUrl}${SIGN_IN_PATH}#token=${token}`, expiresAt: expires.toISOString() };
}
