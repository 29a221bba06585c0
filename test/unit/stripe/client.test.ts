import Stripe from 'stripe';
import { createStripeClient } from '../../../src/stripe/client';

describe('Stripe client factory', () => {
  test('points the SDK at a local URL with the pinned API version and no SDK retries', () => {
    const client = createStripeClient({ secretKey: 'sk_test_x', apiUrl: 'http://127.0.0.1:12211' });
    expect(client.getApiField('host')).toBe('127.0.0.1');
    expect(String(client.getApiField('port'))).toBe('12211');
    expect(client.getApiField('protocol')).toBe('http');
    expect(client.getApiField('version')).toBe(Stripe.API_VERSION);
    expect(client.getMaxNetworkRetries()).toBe(0);
  });

  test('defaults to Stripe itself over https', () => {
    const client = createStripeClient({ secretKey: 'sk_test_x' });
    expect(client.getApiField('host')).toBe('api.stripe.com');
    expect(client.getApiField('protocol')).toBe('https');
  });
});
