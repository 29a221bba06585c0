import { isDatabaseUnavailable } from '../../../src/api/middleware/on-error';

test('Postgres being unreachable or restarting is recognized as unavailable; other errors are not', () => {
  expect(
    isDatabaseUnavailable(
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ),
  ).toBe(true);
  expect(
    isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' })),
  ).toBe(true);
  expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(
    true,
  );
  expect(
    isDatabaseUnavailable(
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    ),
  ).toBe(false);
  expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
});
