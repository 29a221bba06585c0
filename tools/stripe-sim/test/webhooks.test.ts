import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
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
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
} from './support';

const verifier = new Stripe('sk_test_verifier');

describe('webhook delivery', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startSimulator({ webhooks: { retryBaseMs: 30, maxAttempts: 4, timeoutMs: 2_000 } });
  });
  afterEach(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  const settled = (): Promise<boolean> => waitFor(() => h.simulator.dispatcher.idle() || undefined);

  it('signs every delivery so that constructEvent verifies it, for a whole subscription lifecycle', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
      expect(endpoint.secret).toMatch(/^whsec_/);
      const start = utc(2026, 1, 1);
      const { starter } = await createCatalog(h.stripe, 'hooks');
      const { clock, customer } = await customerOnClock(h.stripe, start);
      await h.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: starter.id }],
        trial_period_days: 5,
      });
      await advanceClock(h.stripe, clock.id, start + 40 * DAY);
      await settled();

      const types = receiver.received.map(
        (r) => verifier.webhooks.constructEvent(r.body, r.signature, endpoint.secret ?? '').type,
      );
      expect(types).toEqual(
        expect.arrayContaining([
          'customer.created',
          'payment_method.attached',
          'customer.subscription.created',
          'customer.subscription.trial_will_end',
          'customer.subscription.updated',
          'invoice.created',
          'invoice.finalized',
          'invoice.paid',
          'invoice.payment_succeeded',
          'invoice.upcoming',
          'test_helpers.test_clock.ready',
        ]),
      );
      const stored = await h.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
      expect(types).toHaveLength(stored.length);
      const updated = stored.find((e) => e.type === 'customer.subscription.updated');
      expect(updated?.data.previous_attributes).toBeDefined();
      expect(() =>
        verifier.webhooks.constructEvent(
          receiver.received[0]?.body ?? '',
          receiver.received[0]?.signature ?? '',
          'whsec_wrong',
        ),
      ).toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('retries with backoff until the receiver answers 2xx, and only sends enabled events', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    try {
      await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      const customer = await h.stripe.customers.create({ email: 'retry@example.com' });
      await h.stripe.customers.update(customer.id, { name: 'Not delivered' });
      await settled();
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).id)).size).toBe(1);
      expect(h.simulator.dispatcher.deliveries()[0]).toMatchObject({ status: 'delivered', attempts: 3 });
      expect((await h.stripe.events.list({ type: 'customer.created' })).data[0]?.pending_webhooks).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the configured attempts', async () => {
    const receiver = await startReceiver(() => 503);
    try {
      await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      await h.stripe.customers.create({});
      await settled();
      expect(receiver.received).toHaveLength(4);
      expect(h.simulator.dispatcher.deliveries()[0]).toMatchObject({ status: 'failed', attempts: 4 });
    } finally {
      await receiver.close();
    }
  });

  it('injects duplicate, dropped and reordered deliveries through /_sim/webhook-faults', async () => {
    const receiver = await startReceiver();
    const fault = (body: object): Promise<Response> =>
      fetch(`${h.url}/_sim/webhook-faults`, { method: 'POST', body: JSON.stringify(body) });
    try {
      await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      const ids = (): string[] =>
        receiver.received
          .map((r) => (JSON.parse(r.body) as Stripe.Event).data.object)
          .map((o) => (o as Stripe.Customer).id);

      expect((await fault({ action: 'duplicate' })).status).toBe(200);
      const dup = await h.stripe.customers.create({});
      await settled();
      expect(ids().filter((id) => id === dup.id)).toHaveLength(2);

      await fault({ action: 'drop' });
      const dropped = await h.stripe.customers.create({});
      await settled();
      expect(ids()).not.toContain(dropped.id);
      expect(
        (await h.stripe.events.list({ type: 'customer.created' })).data.map(
          (e) => (e.data.object as Stripe.Customer).id,
        ),
      ).toContain(dropped.id);

      await fault({ action: 'reorder', count: 2 });
      const first = await h.stripe.customers.create({});
      const second = await h.stripe.customers.create({});
      await settled();
      const order = ids();
      expect(order.indexOf(second.id)).toBeLessThan(order.indexOf(first.id));

      expect((await fault({ action: 'explode' })).status).toBe(400);
    } finally {
      await receiver.close();
    }
  });

  it('gives every endpoint the fixed secret when the simulator is started with one', async () => {
    const fixed = await startSimulator({ webhookSecret: 'whsec_fixed_for_local_runs' });
    try {
      const endpoint = await fixed.stripe.webhookEndpoints.create({
        url: 'http://127.0.0.1:9/hook',
        enabled_events: ['*'],
      });
      expect(endpoint.secret).toBe('whsec_fixed_for_local_runs');
      expect((await fixed.stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    } finally {
      await fixed.simulator.close();
    }
  });
});

describe('webhook delivery under a bound on deliveries in flight', () => {
  /** A receiver that holds each request 100 ms and records how many it held at once. */
  async function slowReceiver(): Promise<{
    url: string;
    peak: () => number;
    count: () => number;
    close: () => Promise<void>;
  }> {
    let open = 0;
    let peak = 0;
    let count = 0;
    const server = createServer((req, res) => {
      open += 1;
      peak = Math.max(peak, open);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          open -= 1;
          count += 1;
          res.writeHead(200);
          res.end();
        }, 100),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
      peak: () => peak,
      count: () => count,
      close: () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }

  for (const maxInFlight of [2, undefined]) {
    it(
      `${maxInFlight ? `keeps at most ${maxInFlight}` : 'without the bound sends all'} at once and delivers every event once`,
      async () => {
        const h = await startSimulator({
          webhooks: { retryBaseMs: 30, maxAttempts: 2, timeoutMs: 5_000, maxInFlight },
        });
        const receiver = await slowReceiver();
        try {
          await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
          for (let i = 0; i < 8; i += 1) await h.stripe.customers.create({ email: `c${i}@example.com` });
          await waitFor(() => h.simulator.dispatcher.idle() || undefined);
          expect(receiver.count()).toBe(8);
          expect(h.simulator.dispatcher.deliveries().map((d) => [d.status, d.attempts])).toEqual(
            Array.from({ length: 8 }, () => ['delivered', 1]),
          );
          if (maxInFlight) expect(receiver.peak()).toBe(maxInFlight);
          else expect(receiver.peak()).toBeGreaterThan(2);
        } finally {
          await receiver.close();
          await closeCheckingContract(h);
        }
      },
      CONTRACT_CHECK_TIMEOUT_MS,
    );
  }
});
