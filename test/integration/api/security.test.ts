import { SignJWT, UnsecuredJWT } from 'jose';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_JWT_SECRET, userToken } from '../../helpers/tokens';

let t: TestDb;
let app: RunningApp;
let limited: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db }));
  limited = await startTestApp(buildTestAppDeps({ db: t.db, env: { RATE_LIMIT_PER_MINUTE: '3' } }));
});
afterAll(async () => {
  await app.close();
  await limited.close();
  await t.destroy();
});

const getSubscription = (base: RunningApp, authorization?: string) =>
  fetch(`${base.url}/api/v1/billing/subscription`, { headers: authorization ? { authorization } : {} });

const sign = (claims: Record<string, unknown>, opts: { secret?: string; exp?: string | number; alg?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject('user_1')
    .setExpirationTime(opts.exp ?? '1h')
    .sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));

describe('authentication', () => {
  test.each<[string, () => Promise<string | undefined>]>([
    ['no Authorization header', async () => undefined],
    ['a non-bearer scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a malformed token', async () => 'Bearer not.a.jwt'],
    [
      'an expired token',
      async () =>
        `Bearer ${await sign({ org_id: 'org_1', role: 'owner' }, { exp: Math.floor(Date.now() / 1000) - 60 })}`,
    ],
    [
      'an unsigned token (alg: none)',
      async () =>
        `Bearer ${new UnsecuredJWT({ org_id: 'org_1', role: 'owner', sub: 'u' }).setExpirationTime('1h').encode()}`,
    ],
    [
      'a token signed with another secret',
      async () => `Bearer ${await sign({ org_id: 'org_1', role: 'owner' }, { secret: 'x'.repeat(40) })}`,
    ],
    [
      'a token signed with HS512 instead of HS256',
      async () => `Bearer ${await sign({ org_id: 'org_1', role: 'owner' }, { alg: 'HS512' })}`,
    ],
    ['a token without org_id', async () => `Bearer ${await sign({ role: 'owner' })}`],
    ['a token with an unknown role', async () => `Bearer ${await sign({ org_id: 'org_1', role: 'superuser' })}`],
    [
      'a token with an org_id that is not an id',
      async () => `Bearer ${await sign({ org_id: "org' or 1=1", role: 'owner' })}`,
    ],
  ])('%s is 401 UNAUTHORIZED in the error envelope', async (_, header) => {
    const res = await getSubscription(app, await header());
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.requestId).toBeTruthy();
  });

  test('a valid member token may read', async () => {
    const res = await getSubscription(app, `Bearer ${await userToken({ org: 'org_1', role: 'member' })}`);
    expect(res.status).toBe(200);
  });
});

describe('rate limiting', () => {
  test('each organization gets its own budget; past it the answer is 429 with Retry-After', async () => {
    const a = `Bearer ${await userToken({ org: 'org_rl_a' })}`;
    const b = `Bearer ${await userToken({ org: 'org_rl_b' })}`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await getSubscription(limited, a)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limitedRes = await getSubscription(limited, a);
    expect(Number(limitedRes.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limitedRes.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMIT');
    expect((await getSubscription(limited, b)).status).toBe(200);
  });
});

describe('error envelope', () => {
  test('a caller-supplied request id is echoed; a malformed one is replaced', async () => {
    const ok = await fetch(`${app.url}/api/v1/billing/plans`, { headers: { 'x-request-id': 'trace-12345678' } });
    expect(ok.headers.get('x-request-id')).toBe('trace-12345678');
    const replaced = await fetch(`${app.url}/api/v1/billing/plans`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
