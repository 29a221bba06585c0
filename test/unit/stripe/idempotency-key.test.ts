import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { STRIPE_IDEMPOTENCY_KEY_MAX, boundedIdempotencyKey } from '../../../src/stripe/idempotency-key';

test('a key within Stripe’s 255 characters is sent unchanged', () => {
  for (const key of ['customer:org_1', 'k'.repeat(255)]) expect(boundedIdempotencyKey(key)).toBe(key);
});

test('a longer key becomes its start and the SHA-256 of the whole key, exactly 255 characters', () => {
  const key = `subscription_update:sub_1:upgrade:patch:/subscription:${'k'.repeat(250)}`;
  const sent = boundedIdempotencyKey(key);
  expect(sent).toHaveLength(STRIPE_IDEMPOTENCY_KEY_MAX);
  expect(sent.startsWith(key.slice(0, 190))).toBe(true);
  expect(sent.endsWith(`~${createHash('sha256').update(key).digest('hex')}`)).toBe(true);
});

test('any key: at most 255 characters, the same for the same key, different for keys that differ past the cut', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 600 }), fc.string({ minLength: 1, maxLength: 20 }), (key, tail) => {
      expect(boundedIdempotencyKey(key).length).toBeLessThanOrEqual(STRIPE_IDEMPOTENCY_KEY_MAX);
      expect(boundedIdempotencyKey(key)).toBe(boundedIdempotencyKey(key));
      const long = 'p'.repeat(300) + key;
      expect(boundedIdempotencyKey(long + tail)).not.toBe(boundedIdempotencyKey(`${long}${tail}x`));
    }),
  );
});
