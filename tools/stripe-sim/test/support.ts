import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createStripeSimulator, type StripeSimulator, type StripeSimulatorOptions } from '../index';
import { assertAcceptedByStripeMock, startStripeMock } from './stripe-mock-contract';

export const DAY = 86_400;

export interface SimHarness {
  simulator: StripeSimulator;
  stripe: Stripe;
  url: string;
  port: number;
}

/** An in-process simulator on a free port and the official SDK pointed at it. */
export async function startSimulator(options: StripeSimulatorOptions = {}): Promise<SimHarness> {
  const simulator = createStripeSimulator({ tickMs: 60_000, ...options });
  const { url, port } = await simulator.listen(0);
  const stripe = new Stripe('sk_test_simulator', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  return { simulator, stripe, url, port };
}

/** Starting stripe-mock and replaying every request takes a few seconds, more on a loaded machine (jest's 5 s hook default was hit once). */
export const CONTRACT_CHECK_TIMEOUT_MS = 30_000;

/**
 * Close a suite's simulator after replaying every request it answered with 2xx against a private
 * stripe-mock: the scenarios themselves are the contract test's input.
 */
export async function closeCheckingContract(h: SimHarness): Promise<void> {
  const mock = await startStripeMock();
  try {
    await assertAcceptedByStripeMock(mock.url, h.simulator.requests.all());
  } finally {
    await Promise.all([mock.stop(), h.simulator.close()]);
  }
}

/** Advance a test clock and wait until Stripe (here: the simulator) reports it ready. */
export async function advanceClock(
  stripe: Stripe,
  clockId: string,
  frozenTime: number,
): Promise<Stripe.TestHelpers.TestClock> {
  let clock = await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  for (let i = 0; i < 200 && clock.status !== 'ready'; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    clock = await stripe.testHelpers.testClocks.retrieve(clockId);
  }
  if (clock.status !== 'ready') throw new Error(`test clock ${clockId} did not become ready`);
  return clock;
}

export async function createCatalog(
  stripe: Stripe,
  suffix: string,
): Promise<{ starter: Stripe.Price; pro: Stripe.Price; product: Stripe.Product }> {
  const product = await stripe.products.create({ name: `Plan ${suffix}` });
  const starter = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 2_900,
    recurring: { interval: 'month' },
    lookup_key: `starter_${suffix}`,
  });
  const pro = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 9_900,
    recurring: { interval: 'month' },
    lookup_key: `pro_${suffix}`,
  });
  return { product, starter, pro };
}

/** A customer on a fresh test clock, with a card attached and set as default (unless `card` is null). */
export async function customerOnClock(
  stripe: Stripe,
  start: number,
  card: string | null = 'pm_card_visa',
): Promise<{ clock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer; paymentMethod: string | null }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ email: 'owner@example.com', test_clock: clock.id });
  if (!card) return { clock, customer, paymentMethod: null };
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { clock, customer, paymentMethod: pm.id };
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
}

/** A tiny HTTP receiver for webhooks; `status` decides what it answers. */
export async function startReceiver(
  status: (n: number) => number = () => 200,
): Promise<{ url: string; received: ReceivedWebhook[]; close: () => Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count += 1;
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['stripe-signature'] ?? ''),
      });
      res.writeHead(status(count));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return {
    url,
    received,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function eventTypes(stripe: Stripe, objectId: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
  return events
    .reverse()
    .filter((e) => (e.data.object as { id?: string }).id === objectId)
    .map((e) => e.type);
}

/** Unix seconds for a UTC date, so billing periods are easy to read in tests. */
export function utc(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 1000;
}
