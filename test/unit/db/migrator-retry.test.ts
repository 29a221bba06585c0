import { retryingConcurrentDrops } from '../../../src/db/migrator';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('migrations retried when another session drops a schema during the migrator’s catalog read', () => {
  it('tries again after a dropped schema or table, and returns what the later attempt returns', async () => {
    const failures = [pgError('3F000'), pgError('42P01')];
    let calls = 0;
    const result = await retryingConcurrentDrops(async () => {
      calls++;
      const next = failures.shift();
      if (next) throw next;
      return ['up 2026-12-06T2200-stripe-events-created-brin: Success'];
    });
    expect(result).toEqual(['up 2026-12-06T2200-stripe-events-created-brin: Success']);
    expect(calls).toBe(3);
  });

  it('gives up after the attempts allowed, with the last error', async () => {
    let calls = 0;
    await expect(
      retryingConcurrentDrops(async () => {
        calls++;
        throw pgError('3F000');
      }, 2),
    ).rejects.toThrow('pg 3F000');
    expect(calls).toBe(2);
  });

  it('does not retry any other failure', async () => {
    let calls = 0;
    await expect(
      retryingConcurrentDrops(async () => {
        calls++;
        throw pgError('42601');
      }),
    ).rejects.toThrow('pg 42601');
    await expect(
      retryingConcurrentDrops(async () => {
        calls++;
        throw new Error('no code');
      }),
    ).rejects.toThrow('no code');
    expect(calls).toBe(2);
  });
});
