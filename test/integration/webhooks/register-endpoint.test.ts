import type Stripe from 'stripe';
import { SUBSCRIBED_EVENT_TYPES, isRelayedEventType } from '../../../src/webhooks/handled-events';
import { isMirroredEventType } from '../../../src/webhooks/mirror';
import { ensureWebhookEndpoint } from '../../../src/webhooks/register-endpoint';
import {
  DAY,
  advanceClock,
  createCatalog,
  customerOnClock,
  startReceiver,
  startSimulator,
  utc,
  waitFor,
  type SimHarness,
} from '../../../tools/stripe-sim/test/support';

describe('webhook endpoint registration on the simulator', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startSimulator({ webhooks: { retryBaseMs: 30, maxAttempts: 2, timeoutMs: 2_000 } });
  });
  afterEach(() => h.simulator.close());

  it('subscribes to the types the service reads, once, and narrows an endpoint registered for every event', async () => {
    expect(await ensureWebhookEndpoint(h.stripe, 'http://127.0.0.1:9/a')).toBe('created');
    expect(await ensureWebhookEndpoint(h.stripe, 'http://127.0.0.1:9/a')).toBe('exists');
    const wildcard = await h.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/b', enabled_events: ['*'] });
    expect(await ensureWebhookEndpoint(h.stripe, 'http://127.0.0.1:9/b')).toBe('updated');
    const endpoints = await h.stripe.webhookEndpoints.list({ limit: 10 });
    expect(endpoints.data).toHaveLength(2);
    for (const e of endpoints.data) expect([...e.enabled_events].sort()).toEqual([...SUBSCRIBED_EVENT_TYPES]);
    expect((await h.stripe.webhookEndpoints.retrieve(wildcard.id)).enabled_events).not.toContain('*');
  });

  it('delivers every event the relay or the mirror acts on through a lifecycle, and none of the rest', async () => {
    const receiver = await startReceiver();
    try {
      await ensureWebhookEndpoint(h.stripe, receiver.url);
      const start = utc(2026, 1, 1);
      const { starter } = await createCatalog(h.stripe, 'subscribed');
      const { clock, customer } = await customerOnClock(h.stripe, start);
      const subscription = await h.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: starter.id }],
        trial_period_days: 5,
      });
      await advanceClock(h.stripe, clock.id, start + 40 * DAY);
      await h.stripe.subscriptions.cancel(subscription.id);
      await waitFor(() => h.simulator.dispatcher.idle() || undefined);

      const stored = await h.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
      const delivered = new Set(receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).id));
      const subscribed = new Set(SUBSCRIBED_EVENT_TYPES);
      const used = stored.filter((e) => subscribed.has(e.type));
      // Every type asked for is one the relay or the mirror acts on.
      expect(used.filter((e) => !isRelayedEventType(e.type) && !isMirroredEventType(e.type))).toEqual([]);
      // invoice.payment_succeeded is sent by Stripe for every paid charge but not asked for: the invoice.paid of the
      // same invoice is delivered instead.
      const objectId = (e: Stripe.Event) => (e.data.object as { id?: string }).id;
      const succeeded = stored.filter((e) => e.type === 'invoice.payment_succeeded');
      expect(succeeded.length).toBeGreaterThan(0);
      for (const e of succeeded)
        expect(used.some((u) => u.type === 'invoice.paid' && objectId(u) === objectId(e))).toBe(true);
      // The scenario produced both kinds, so neither half of the check is empty.
      expect(used.length).toBeGreaterThan(8);
      expect(stored.some((e) => e.type.startsWith('test_helpers.test_clock.') || e.type === 'invoice.upcoming')).toBe(
        true,
      );
      expect(
        stored
          .filter((e) => delivered.has(e.id))
          .map((e) => e.id)
          .sort(),
      ).toEqual(used.map((e) => e.id).sort());
      expect(receiver.received).toHaveLength(used.length);
    } finally {
      await receiver.close();
    }
  });
});
