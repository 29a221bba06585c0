import {
  catalogLookupKeys,
  judgePreflight,
  preflightPasses,
  REQUIRED_EVENTS,
  WEBHOOK_PATH,
  type PreflightFacts,
} from '../../../tools/go-live/preflight';

const VERSION = '2026-10-28.endive';
const URL = `https://billing.example.com${WEBHOOK_PATH}`;

function facts(over: Partial<PreflightFacts> = {}): PreflightFacts {
  return {
    secretKey: 'sk_test_abc',
    target: 'stripe',
    service: { ready: true, detail: 'ready' },
    pinnedApiVersion: VERSION,
    expectedLookupKeys: ['a', 'b'],
    activeLookupKeys: ['a', 'b'],
    endpoints: [{ id: 'we_1', url: URL, status: 'enabled', enabledEvents: [...REQUIRED_EVENTS], apiVersion: VERSION }],
    requiredEvents: REQUIRED_EVENTS,
    forwarding: false,
    tax: { enabled: false, status: null },
    ...over,
  };
}
const verdict = (f: PreflightFacts, name: string) => judgePreflight(f).find((c) => c.name === name);

test('a ready account passes, with the Dashboard-only settings listed for a person to check', () => {
  const checks = judgePreflight(facts());
  expect(preflightPasses(checks)).toBe(true);
  expect(checks.filter((c) => c.verdict === 'manual').map((c) => c.name)).toEqual([
    'automatic retries',
    'Stripe customer emails',
    'subscription status after retries',
    '3-D Secure rules',
  ]);
});

test.each([
  ['a live key', facts({ secretKey: 'sk_live_abc' }), 'secret key'],
  ['a restricted live key', facts({ secretKey: 'rk_live_abc' }), 'secret key'],
  ['a key that is not a Stripe key', facts({ secretKey: 'whatever' }), 'secret key'],
  ['the service not ready', facts({ service: { ready: false, detail: 'down' } }), 'billing service'],
  ['a catalog price missing', facts({ activeLookupKeys: ['a'] }), 'catalog'],
  ['no webhook endpoint and no forwarding', facts({ endpoints: [] }), 'webhook endpoint'],
  [
    'the endpoint disabled',
    facts({ endpoints: [{ ...facts().endpoints[0]!, status: 'disabled' }] }),
    'webhook endpoint',
  ],
  [
    'an event type missing',
    facts({
      endpoints: [{ ...facts().endpoints[0]!, enabledEvents: REQUIRED_EVENTS.filter((t) => t !== 'invoice.paid') }],
    }),
    'webhook endpoint',
  ],
  [
    'another API version',
    facts({ endpoints: [{ ...facts().endpoints[0]!, apiVersion: '2024-06-20' }] }),
    'webhook endpoint',
  ],
  ['Stripe Tax enabled but inactive', facts({ tax: { enabled: true, status: 'pending' } }), 'Stripe Tax'],
])('%s fails the preflight, and nothing is created', (_what, f, name) => {
  expect(verdict(f, name)?.verdict).toBe('fail');
  expect(preflightPasses(judgePreflight(f))).toBe(false);
});

test('the catalog failure names the missing lookup keys and the command that fixes it', () => {
  expect(verdict(facts({ activeLookupKeys: ['a'] }), 'catalog')?.detail).toMatch(
    /no active price for b: run `npm run catalog:sync`/,
  );
});

test('forwarding with the Stripe CLI, an endpoint on the account default version, "*" events: manual or warned, not failed', () => {
  expect(verdict(facts({ endpoints: [], forwarding: true }), 'webhook endpoint')?.verdict).toBe('manual');
  const byDefault = facts({ endpoints: [{ ...facts().endpoints[0]!, apiVersion: null, enabledEvents: ['*'] }] });
  expect(verdict(byDefault, 'webhook endpoint')).toMatchObject({
    verdict: 'warn',
    detail: expect.stringContaining(VERSION),
  });
  const two = facts({ endpoints: [facts().endpoints[0]!, { ...facts().endpoints[0]!, id: 'we_2' }] });
  expect(verdict(two, 'webhook endpoint')?.verdict).toBe('warn');
  expect(preflightPasses(judgePreflight(two))).toBe(true);
});

test('on the simulator there is no Dashboard checklist and the service registers its own endpoint', () => {
  const checks = judgePreflight(facts({ target: 'simulator', secretKey: 'sk_test_simulator', endpoints: [] }));
  expect(preflightPasses(checks)).toBe(true);
  expect(checks.some((c) => c.verdict === 'manual')).toBe(false);
});

test('the catalog to find is every listed price and overage price, not the negotiated enterprise plan', () => {
  const keys = catalogLookupKeys();
  expect(keys).toContain('billing_starter_monthly');
  expect(keys).toContain('billing_professional_yearly');
  expect(keys).toContain('billing_starter_seat_monthly');
  expect(keys).toContain('billing_starter_messages_overage_yearly');
  expect(keys).toContain('billing_professional_messages_overage');
  expect(keys.some((k) => k.startsWith('billing_enterprise'))).toBe(false);
});
