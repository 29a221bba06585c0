import { storeEvent } from '../../../src/webhooks/store';
import type { InboundEvent } from '../../../src/webhooks/stripe-event';
import { invoiceObject, stripeEvent, uid } from '../../fixtures/stripe-events';
import { createTestDb, type TestDb } from '../../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

const eventFor = (organizationId: string, id = uid('evt')) =>
  stripeEvent('invoice.paid', invoiceObject({ customer: uid('cus'), organizationId }), {
    id,
  }) as unknown as InboundEvent;

/**
 * Deliveries that arrive together are stored by one statement (group commit); each still gets its own answer:
 * stored, a duplicate (also of an id twice in the same group), or its body refused by Postgres and a cleaned copy
 * stored instead, without failing the rest of its group.
 */
it('stores a burst of deliveries together and answers each as if it had come alone', async () => {
  const org = uid('org');
  const events = Array.from({ length: 30 }, () => eventFor(org));
  // A NUL escaped in the JSON: valid JSON, but Postgres refuses it in jsonb.
  const refused = events[20] as InboundEvent;
  refused.data.object = { ...refused.data.object, description: 'a\u0000b' };
  const bodies = events.map((e) => JSON.stringify(e));
  const store = (i: number) => storeEvent(t.db, events[i] as InboundEvent, bodies[i] as string);

  // Two statements go at once; the rest wait and go together, a redelivery of one of them among them.
  const first = await Promise.all([...Array.from({ length: 12 }, (_, i) => store(i)), store(5)]);
  expect(first.map((r) => r.inserted)).toEqual([...Array<boolean>(12).fill(true), false]);
  // A group holding an event Postgres refuses: the others are stored alone, it is stored cleaned.
  const second = await Promise.all(Array.from({ length: 18 }, (_, i) => store(12 + i)));
  expect(second.every((r) => r.inserted)).toBe(true);

  const rows = await t.db
    .selectFrom('stripe_events')
    .select(['id', 'payload'])
    .where(
      'id',
      'in',
      events.map((e) => e.id),
    )
    .execute();
  expect(rows.map((r) => r.id).sort()).toEqual(events.map((e) => e.id).sort());
  const cleaned = rows.find((r) => r.id === refused.id)?.payload as { data: { object: { description?: string } } };
  expect(cleaned.data.object.description).toBe('a\ufffdb');
  expect((await store(0)).inserted).toBe(false);
});
