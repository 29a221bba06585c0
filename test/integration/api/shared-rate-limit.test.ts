import { createRateLimiter } from '../../../src/api/middleware/rate-limit';
import { createDb, poolOf, type Db } from '../../../src/db/database';
import { createTestDb, type TestDb } from '../../helpers/db';

/** Two API instances: two processes' own pools on one database, as in a deployment. */
describe('the API rate limit is shared by every API instance (Postgres store)', () => {
  let t: TestDb;
  let other: Db;
  beforeAll(async () => {
    t = await createTestDb();
    other = createDb({ url: t.url, searchPath: t.schema, poolMax: 2 });
  });
  afterAll(async () => {
    await other.destroy();
    await t.destroy();
  });

  test('N instances allow the limit once, not N times it; other organizations keep theirs', async () => {
    const a = createRateLimiter({ perMinute: 5, pool: poolOf(t.db) });
    const b = createRateLimiter({ perMinute: 5, pool: poolOf(other) });
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await a.take('org:acme')).ok, (await b.take('org:acme')).ok);
    expect(results.filter(Boolean)).toHaveLength(5);
    const refused = await a.take('org:acme');
    expect(refused).toMatchObject({ ok: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await b.take('org:other')).ok).toBe(true);
  });

  test('concurrent requests on both instances never overshoot the limit (one atomic upsert each)', async () => {
    const a = createRateLimiter({ perMinute: 10, pool: poolOf(t.db) });
    const b = createRateLimiter({ perMinute: 10, pool: poolOf(other) });
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take('org:burst')));
    expect(all.filter((r) => r.ok)).toHaveLength(10);
  });

  test('with Postgres unreachable each instance falls back to its own in-memory window', async () => {
    const dead = createDb({ url: 'postgres://billing:billing@127.0.0.1:1/none', poolMax: 1 });
    try {
      const limiter = createRateLimiter({ perMinute: 2, pool: poolOf(dead) });
      const seen = [await limiter.take('org:x'), await limiter.take('org:x'), await limiter.take('org:x')];
      expect(seen.map((r) => r.ok)).toEqual([true, true, false]);
    } finally {
      await dead.destroy();
    }
  });
});
