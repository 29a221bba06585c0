import { ingestUsageEvents } from '../../../src/usage/ingest';
import { reportDueOverage } from '../../../src/usage/overage-due';
import type { MeterEventsClient } from '../../../src/usage/overage';
import { createTestDb, type TestDb } from '../../helpers/db';
import { event, subscribe, uniqueOrg } from './support';

type Sent = { identifier: string; value: string; customer: string; event: string };

/** Records meter events; `failFor` makes every call for that customer fail (Stripe unreachable for it). */
function recordingMeters(failFor?: string): MeterEventsClient & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    billing: {
      meterEvents: {
        create: async (params) => {
          if (params.payload.stripe_customer_id === failFor) throw new Error('Stripe unreachable');
          sent.push({
            identifier: params.identifier ?? '',
            value: params.payload.value ?? '',
            customer: params.payload.stripe_customer_id ?? '',
            event: params.event_name,
          });
          return {} as never;
        },
      },
    },
  };
}

describe('the worker’s overage round (reportDueOverage)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  const now = Date.now();
  const period = {
    start: new Date(now - 5 * 86_400_000).toISOString(),
    end: new Date(now + 25 * 86_400_000).toISOString(),
  };

  async function paidOrg(plan: string, status = 'active'): Promise<string> {
    const org = uniqueOrg();
    await t.db
      .insertInto('billing_customers')
      .values({ organization_id: org, stripe_customer_id: `cus_${org}` })
      .execute();
    await subscribe(t.db, org, plan, period, status);
    return org;
  }

  it('reports each organization’s new blocks once per round, trialing included, and nothing for the others', async () => {
    const over = await paidOrg('starter', 'trialing');
    const within = await paidOrg('professional');
    const free = uniqueOrg();
    const at = new Date(now - 60_000).toISOString();
    await ingestUsageEvents({ db: t.db }, [
      event(over, 'messages', 12_001, at),
      event(within, 'messages', 100, at),
      event(free, 'messages', 999, at),
    ]);

    const stripe = recordingMeters();
    expect(await reportDueOverage({ db: t.db, stripe })).toMatchObject({ organizations: 1, eventsSent: 1, failed: 0 });
    expect(stripe.sent).toEqual([
      {
        identifier: expect.stringMatching(new RegExp(`^ovg_${over}_messages_\\d+_b3$`)),
        value: '3',
        customer: `cus_${over}`,
        event: 'billing_messages',
      },
    ]);
    // Nothing new: the next round sends nothing; more usage: only the new blocks.
    expect(await reportDueOverage({ db: t.db, stripe })).toMatchObject({ eventsSent: 0 });
    await ingestUsageEvents({ db: t.db }, [event(over, 'messages', 1_500, at), event(over, 'api_calls', 100_001, at)]);
    await reportDueOverage({ db: t.db, stripe });
    expect(
      stripe.sent
        .slice(1)
        .map((s) => [s.event, s.value])
        .sort(),
    ).toEqual([
      ['billing_api_calls', '1'],
      ['billing_messages', '1'],
    ]);
  });

  it('keeps a failed organization pending and sends exactly that event next round, without holding up the others', async () => {
    const broken = await paidOrg('professional');
    const fine = await paidOrg('professional');
    const at = new Date(now - 60_000).toISOString();
    await ingestUsageEvents({ db: t.db }, [
      event(broken, 'messages', 102_000, at),
      event(fine, 'messages', 101_000, at),
    ]);
    const failing = recordingMeters(`cus_${broken}`);
    const errors: string[] = [];
    const first = await reportDueOverage({ db: t.db, stripe: failing, onError: (org) => errors.push(org) });
    expect(first.failed).toBe(1);
    expect(errors).toEqual([broken]);
    expect(failing.sent.filter((s) => s.customer === `cus_${fine}`).map((s) => s.value)).toEqual(['1']);

    // Usage grows while Stripe is unreachable; the retry first sends the event fixed before, then the rest.
    await ingestUsageEvents({ db: t.db }, [event(broken, 'messages', 3_000, at)]);
    const healed = recordingMeters();
    await reportDueOverage({ db: t.db, stripe: healed });
    expect(
      healed.sent
        .filter((s) => s.customer === `cus_${broken}`)
        .map((s) => [s.identifier.replace(/^.*_b/, 'b'), s.value]),
    ).toEqual([
      ['b2', '2'],
      ['b5', '3'],
    ]);
  });
});
