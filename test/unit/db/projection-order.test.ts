import { projectionOrder } from '../../../src/db/read-models/subscriptions';

describe('the order of a subscription projection', () => {
  test('an input with historyLength is taken as it is', () => {
    expect(projectionOrder({ stateVersion: 7, historyLength: 42 })).toEqual({ stateVersion: 7, historyLength: 42 });
    expect(projectionOrder({ stateVersion: 2 ** 21, historyLength: 0 })).toEqual({
      stateVersion: 2 ** 21,
      historyLength: 0,
    });
  });

  test.each([
    ['a combined version * 2^20 + history length', 3 * 2 ** 20 + 57, { stateVersion: 3, historyLength: 57 }],
    [
      'a combined order with the largest history length',
      1 * 2 ** 20 + (2 ** 20 - 1),
      { stateVersion: 1, historyLength: 2 ** 20 - 1 },
    ],
    ['a combined order exactly at a version boundary', 5 * 2 ** 20, { stateVersion: 5, historyLength: 0 }],
    ['a plain version from before local reads', 12, { stateVersion: 12, historyLength: 0 }],
    ['the largest plain version', 2 ** 20 - 1, { stateVersion: 2 ** 20 - 1, historyLength: 0 }],
  ])('an input recorded without historyLength is decoded: %s', (_name, stateVersion, expected) => {
    expect(projectionOrder({ stateVersion })).toEqual(expected);
  });
});
