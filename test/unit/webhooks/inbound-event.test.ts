import fc from 'fast-check';
import { InboundEventSchema, parseInboundEvent } from '../../../src/webhooks/stripe-event';

const valid = {
  id: 'evt_1Abc',
  object: 'event',
  type: 'invoice.paid',
  created: 1_767_225_600,
  livemode: false,
  api_version: '2026-10-28.endive',
  pending_webhooks: 1,
  data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_1' }, previous_attributes: { status: 'open' } },
};

/** The fast path must say yes exactly when the schema does, with the schema's fields and message. */
function expectSameVerdict(value: unknown): void {
  const fast = parseInboundEvent(value);
  const schema = InboundEventSchema.safeParse(value);
  expect(fast.success).toBe(schema.success);
  if (fast.success && schema.success) expect(fast.data).toMatchObject(schema.data);
  if (!fast.success && !schema.success) expect(fast.error.issues).toEqual(schema.error.issues);
}

describe('parseInboundEvent (guards beside InboundEventSchema)', () => {
  const cases: unknown[] = [
    valid,
    { ...valid, api_version: null },
    (({ api_version: _v, ...rest }) => rest)(valid),
    { ...valid, data: { object: {} } },
    { ...valid, data: { object: { id: '' } } },
    { ...valid, data: { object: { id: 7 } } },
    { ...valid, data: { object: [] } },
    { ...valid, data: { object: null } },
    { ...valid, data: { object: { id: 'in_1' }, previous_attributes: [] } },
    { ...valid, data: { object: { id: 'in_1' }, previous_attributes: null } },
    { ...valid, data: null },
    (({ data: _d, ...rest }) => rest)(valid),
    { ...valid, id: 'ch_1' },
    { ...valid, id: 'evt_' },
    { ...valid, id: 'evt_a-b' },
    { ...valid, object: 'charge' },
    { ...valid, type: '' },
    { ...valid, type: 'x'.repeat(201) },
    { ...valid, type: 'x'.repeat(200) },
    { ...valid, created: 0 },
    { ...valid, created: 1.5 },
    { ...valid, created: '1767225600' },
    { ...valid, created: Number.POSITIVE_INFINITY },
    { ...valid, livemode: 'false' },
    { ...valid, api_version: 2026 },
    [valid],
    'evt_1',
    null,
  ];

  it.each(cases.map((c) => [JSON.stringify(c)?.slice(0, 80), c]))('agrees with the schema for %s', (_label, value) => {
    expectSameVerdict(value);
  });

  it('agrees with the schema for generated envelopes', () => {
    const field = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, fc.anything());
    const envelope = fc.record(
      {
        id: field(fc.stringMatching(/^evt_\w{1,12}$/)),
        object: field(fc.constant('event')),
        type: field(fc.string({ minLength: 0, maxLength: 210 })),
        created: field(fc.integer({ min: -5, max: 2_000_000_000 })),
        livemode: field(fc.boolean()),
        api_version: field(fc.option(fc.string(), { nil: null })),
        data: field(
          fc.record(
            {
              object: field(fc.record({ id: field(fc.string()) }, { requiredKeys: [] })),
              previous_attributes: field(fc.dictionary(fc.string(), fc.anything())),
            },
            { requiredKeys: ['object'] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, (value) => expectSameVerdict(value)),
      { numRuns: 2_000 },
    );
  });
});
