import { SignJWT } from 'jose';

/** A user token as the product's identity provider would issue it (HS256 with the service's secret). */
export function signUserToken(
  secret: string,
  claims: { organizationId: string; email: string; role?: 'owner' | 'member'; issuer?: string; audience?: string },
): Promise<string> {
  const jwt = new SignJWT({ org_id: claims.organizationId, role: claims.role ?? 'owner', email: claims.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`user_${claims.organizationId}`)
    .setIssuedAt()
    .setExpirationTime('2h');
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
