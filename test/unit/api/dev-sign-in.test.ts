import { PRODUCTION_ENV } from '../../helpers/production-env';
import { createTokenVerifier } from '../../../src/api/middleware/auth';
import { DevSignInRefused, issueDevSignIn } from '../../../src/billing-page/dev-sign-in';
import { loadConfig } from '../../../src/config';

describe('local sign-in for development', () => {
  test('issues a user token the API accepts for the organization and role, and a sign-in link carrying it', async () => {
    const config = loadConfig({
      NODE_ENV: 'development',
      JWT_ISSUER: 'https://id.example',
      PUBLIC_URL: 'http://localhost:3000',
    });
    const signIn = await issueDevSignIn(config, { organizationId: 'org_local', role: 'billing_admin', hours: 2 });
    const principal = await createTokenVerifier(config.auth).verify(signIn.token);
    expect(principal).toMatchObject({ organizationId: 'org_local', role: 'billing_admin' });
    expect(signIn.link).toBe(`http://localhost:3000/billing/sign-in#token=${signIn.token}`);
    expect(Date.parse(signIn.expiresAt) - Date.now()).toBeGreaterThan(7_100_000);
  });

  test('is refused in production and when tokens come from a JWKS', async () => {
    const production = loadConfig({ ...PRODUCTION_ENV, JWT_SECRET: 'a-production-secret-of-32-characters!!' });
    const jwks = loadConfig({ NODE_ENV: 'development', JWT_JWKS_URL: 'https://id.example/.well-known/jwks.json' });
    const who = { organizationId: 'org_local', role: 'owner' as const, hours: 1 };
    await expect(issueDevSignIn(production, who)).rejects.toThrow(DevSignInRefused);
    await expect(issueDevSignIn(jwks, who)).rejects.toThrow(/JWKS/);
  });
});
