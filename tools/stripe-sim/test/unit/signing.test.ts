import Stripe from 'stripe';
import { signatureHeader } from '../../webhooks/signing';

describe('webhook signatures', () => {
  const stripe = new Stripe('sk_test_unit');
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', data: { object: {} } });

  it('produce headers the SDK verifies', () => {
    const header = signatureHeader(payload, 'whsec_test', Math.floor(Date.now() / 1000));
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_test').id).toBe('evt_1');
  });

  it('match the SDK test header for the same timestamp', () => {
    const timestamp = 1_700_000_000;
    expect(signatureHeader(payload, 'whsec_test', timestamp)).toBe(
      stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_test', timestamp }),
    );
  });

  it('fail verification with another secret or a tampered body', () => {
    const header = signatureHeader(payload, 'whsec_test', Math.floor(Date.now() / 1000));
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow();
    expect(() => stripe.webhooks.constructEvent(`${payload} `, header, 'whsec_test')).toThrow();
  });
});
