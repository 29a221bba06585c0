import { RELAYED_EVENT_TYPES, SUBSCRIBED_EVENT_TYPES, isRelayedEventType } from '../../../src/webhooks/handled-events';

test('invoice.payment_succeeded is relayed when it arrives but not subscribed to: invoice.paid, subscribed, says the same', () => {
  expect(isRelayedEventType('invoice.payment_succeeded')).toBe(true);
  expect(SUBSCRIBED_EVENT_TYPES).not.toContain('invoice.payment_succeeded');
  expect(SUBSCRIBED_EVENT_TYPES).toContain('invoice.paid');
});

test('every other relayed type is subscribed to, once, in order', () => {
  const missing = RELAYED_EVENT_TYPES.filter(
    (type) => type !== 'invoice.payment_succeeded' && !SUBSCRIBED_EVENT_TYPES.includes(type),
  );
  expect(missing).toEqual([]);
  expect(new Set(SUBSCRIBED_EVENT_TYPES).size).toBe(SUBSCRIBED_EVENT_TYPES.length);
  expect([...SUBSCRIBED_EVENT_TYPES].sort()).toEqual(SUBSCRIBED_EVENT_TYPES);
});

test("a renewal's events are all subscribed to: created, finalized, paid and the subscription's update", () => {
  for (const type of ['invoice.created', 'invoice.finalized', 'invoice.paid', 'customer.subscription.updated'])
    expect(SUBSCRIBED_EVENT_TYPES).toContain(type);
});
