import type Stripe from 'stripe';
import { parseDemoArgs } from '../../../tools/demo/args';
import { runDemo, type DemoDeps } from '../../../tools/demo/run-demo';

/** Deps whose services are never reached: every call fails loudly. */
function unreachableDeps(adminToken: string | undefined): DemoDeps & { calls: string[] } {
  const calls: string[] = [];
  const stripe = new Proxy({} as Stripe, {
    get: (_t, prop) => {
      calls.push(`stripe.${String(prop)}`);
      throw new Error('Stripe must not be called');
    },
  });
  return {
    apiUrl: 'http://127.0.0.1:9',
    stripe,
    simUrl: 'http://127.0.0.1:9',
    mailUrl: 'http://127.0.0.1:9',
    jwtSecret: 'unit-test-secret-0123456789abcdef0123',
    serviceToken: undefined,
    adminToken,
    write: (text) => void calls.push(`write:${text}`),
    live: false,
    calls,
  };
}

describe("the demo's preflight", () => {
  test("Vandelay's chapter without an admin token stops before anything is called, naming ADMIN_TOKENS and --only", async () => {
    const deps = unreachableDeps(undefined);
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      await expect(runDemo(deps, parseDemoArgs(['--only', 'vandelay,acme'], false))).rejects.toThrow(
        /ADMIN_TOKENS.*--only/,
      );
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(deps.calls).toEqual([]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test('--only vandelay is a chapter of its own', () => {
    expect(parseDemoArgs(['--only', 'Vandelay'], false).only).toEqual(['vandelay']);
  });
});
