import { createTokenVerifier } from '../../../src/api/middleware/auth';
import { ApiError } from '../../../src/api/errors';
import { loadConfig } from '../../../src/config';
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET, userToken } from '../../helpers/tokens';

describe('the user token verifier', () => {
  test('a cached token stops being accepted once it expires', async () => {
    let now = Date.now();
    const verifier = createTokenVerifier(loadConfig({}).auth, { now: () => now });
    const token = await userToken({ org: 'org_1', expiresIn: '1h' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ organizationId: 'org_1', role: 'owner' });
    now += 2 * 3_600_000;
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(ApiError);
  });

  test('the cache is bounded: the oldest token is evicted, and is verified again when it comes back', async () => {
    const verifier = createTokenVerifier(loadConfig({}).auth, { cacheSize: 2 });
    const tokens = await Promise.all(['a', 'b', 'c'].map((org) => userToken({ org: `org_${org}` })));
    for (const t of tokens) await verifier.verify(t);
    await expect(verifier.verify(tokens[0]!)).resolves.toMatchObject({ organizationId: 'org_a' });
  });

  const signed = (claims: { iat?: number; exp: number }) =>
    new SignJWT({ org_id: 'org_1', role: 'owner', ...(claims.iat === undefined ? {} : { iat: claims.iat }) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user_1')
      .setExpirationTime(claims.exp)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  test('a token issued in the future is refused (a minute of clock skew is tolerated)', async () => {
    const verifier = createTokenVerifier(loadConfig({}).auth);
    await expect(verifier.verify(await signed({ iat: nowSeconds() + 600, exp: nowSeconds() + 3_600 }))).rejects.toThrow(
      'The token is issued in the future',
    );
    await expect(
      verifier.verify(await signed({ iat: nowSeconds() + 30, exp: nowSeconds() + 3_600 })),
    ).resolves.toMatchObject({ organizationId: 'org_1' });
  });

  test('a token living longer than JWT_MAX_LIFETIME_SECONDS (default a day) is refused, with or without iat', async () => {
    const verifier = createTokenVerifier(loadConfig({}).auth);
    const tenYears = 10 * 365 * 86_400;
    await expect(verifier.verify(await signed({ iat: nowSeconds(), exp: nowSeconds() + tenYears }))).rejects.toThrow(
      'The token lives longer than 86400 s',
    );
    await expect(verifier.verify(await signed({ exp: nowSeconds() + 2 * 86_400 }))).rejects.toThrow(
      'The token lives longer than 86400 s',
    );
    const short = createTokenVerifier(loadConfig({ JWT_MAX_LIFETIME_SECONDS: '600' }).auth);
    await expect(short.verify(await signed({ iat: nowSeconds(), exp: nowSeconds() + 3_600 }))).rejects.toThrow(
      'The token lives longer than 600 s',
    );
    await expect(short.verify(await signed({ iat: nowSeconds(), exp: nowSeconds() + 600 }))).resolves.toMatchObject({
      role: 'owner',
    });
  });
});
