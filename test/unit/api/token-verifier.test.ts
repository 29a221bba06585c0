import { createTokenVerifier } from '../../../src/api/middleware/auth';
import { ApiError } from '../../../src/api/errors';
import { loadConfig } from '../../../src/config';
import { userToken } from '../../helpers/tokens';

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
});
