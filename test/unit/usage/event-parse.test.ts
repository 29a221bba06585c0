import { parseUsageEvent, usageEventSchema } from '../../../src/usage/event-schema';

const valid = {
  id: 'evt_1',
  organizationId: 'org_1',
  metric: 'messages',
  quantity: 3,
  timestamp: '2026-03-10T10:00:00Z',
};

describe('parseUsageEvent (fast path beside usageEventSchema)', () => {
  const cases: unknown[] = [
    valid,
    { ...valid, timestamp: '2026-03-10T10:00:00.123456+05:30' },
    { ...valid, metric: 'storage', quantity: 0 },
    { ...valid, quantity: 0 },
    { ...valid, quantity: -1 },
    { ...valid, quantity: 1.5 },
    { ...valid, quantity: 1_000_000_001 },
    { ...valid, quantity: '3' },
    { ...valid, quantity: Number.NaN },
    { ...valid, metric: 'tokens' },
    { ...valid, id: '' },
    { ...valid, id: 'x'.repeat(129) },
    { ...valid, id: 'with space' },
    { ...valid, organizationId: 'org.1' },
    { ...valid, timestamp: '2026-02-30T10:00:00Z' },
    { ...valid, timestamp: '2026-03-10T24:00:00Z' },
    { ...valid, timestamp: '2026-03-10 10:00:00Z' },
    { ...valid, timestamp: '2026-03-10T10:00:00' },
    { ...valid, extra: 1 },
    JSON.parse('{"id":"a","organizationId":"o","metric":"messages","quantity":1,"__proto__":{}}'),
    (({ timestamp: _t, ...rest }) => rest)(valid),
    'not an object',
    null,
    [valid],
    42,
  ];

  it.each(cases.map((c) => [JSON.stringify(c), c]))(
    "gives the schema's verdict, data and message for %s",
    (_label, item) => {
      expect(parseUsageEvent(item)).toEqual(usageEventSchema.safeParse(item));
    },
  );
});
