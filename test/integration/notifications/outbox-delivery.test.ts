import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  billingEmailResolver,
  createEmailDispatcher,
  createOutboxNotifier,
  createSmtpTransport,
  type EmailDispatcherDeps,
  type NotificationRequest,
} from '../../../src/notifications';
import { createMailSink, type MailSink } from '../../../tools/mail-sink';
import { createTestDb, type TestDb } from '../../helpers/db';
import { addBillingCustomer, eventually, inbox, injectSmtpFaults, outboxRow, sleep } from './helpers';

jest.setTimeout(30_000);

const PUBLIC_URL = 'https://app.example.test';
const FROM = 'Billing <billing@example.test>';
const FAST_BACKOFF = { baseMs: 400, maxMs: 2_000, maxAttempts: 4 };

let t: TestDb;
let sink: MailSink;
const results: string[] = [];
// Pooled transports keep connections open: closed after the suite.
const transports: ReturnType<typeof createSmtpTransport>[] = [];
function smtpTransport() {
  const transport = createSmtpTransport(sink.smtpUrl);
  transports.push(transport);
  return transport;
}

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDb(), createMailSink()]);
});
afterAll(async () => {
  for (const transport of transports) transport.close();
  await Promise.all([t.destroy(), sink.close()]);
});
beforeEach(async () => {
  results.length = 0;
  await t.db.deleteFrom('email_outbox').execute();
  await fetch(`${sink.httpUrl}/messages`, { method: 'DELETE' });
});

function notifier() {
  return createOutboxNotifier({
    db: t.db,
    resolveRecipient: billingEmailResolver(t.db),
    publicUrl: PUBLIC_URL,
    onResult: (kind, outcome) => results.push(`${kind}:${outcome}`),
  });
}

function dispatcher(overrides: Partial<EmailDispatcherDeps> = {}) {
  return createEmailDispatcher({
    db: t.db,
    transport: smtpTransport(),
    from: FROM,
    batchSize: 10,
    backoff: FAST_BACKOFF,
    onResult: (kind, outcome) => results.push(`${kind}:${outcome}`),
    ...overrides,
  });
}

async function newCustomer(email: string | null = `billing+${randomUUID().slice(0, 8)}@customer.test`) {
  const organizationId = `org_${randomUUID().slice(0, 12)}`;
  await addBillingCustomer(t.db, organizationId, email);
  return { organizationId, email: email ?? '' };
}

function paymentFailed(organizationId: string, attempt = 1): NotificationRequest {
  return {
    organizationId,
    kind: 'payment_failed',
    dedupeKey: `payment_failed:in_${organizationId}:${attempt}`,
    data: {
      invoiceId: `in_${organizationId}`,
      amountDue: 2900,
      currency: 'usd',
      attempt,
      declineCode: 'insufficient_funds',
      nextRetryAt: '2026-12-08T00:00:00Z',
    },
  };
}

describe('email outbox delivery', () => {
  test('an enqueued notification is sent to the billing email and can be read back from the mail server', async () => {
    const { organizationId, email } = await newCustomer();
    expect(await notifier().enqueue(paymentFailed(organizationId))).toEqual({ enqueued: true });

    expect(await dispatcher().runOnce()).toEqual({ claimed: 1, sent: 1, retried: 0, dead: 0 });

    const [message, ...others] = await inbox(sink, email);
    expect(others).toEqual([]);
    expect(message).toMatchObject({ from: 'billing@example.test', to: [email], subject: 'Payment of $29.00 failed' });
    expect(message?.text).toContain(`${PUBLIC_URL}/billing/payment-method`);
    expect(message?.html).toContain('<a href="https://app.example.test/billing/payment-method">');
    const row = await outboxRow(t.db, paymentFailed(organizationId).dedupeKey);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(message?.messageId).toBe(`<outbox-${row.id}@example.test>`);
    expect(results).toEqual(['payment_failed:enqueued', 'payment_failed:sent']);
  });

  test('enqueuing the same dedupe key twice stores and sends one email', async () => {
    const { organizationId, email } = await newCustomer();
    const request = paymentFailed(organizationId);
    expect(await notifier().enqueue(request)).toEqual({ enqueued: true });
    expect(await notifier().enqueue(request)).toEqual({ enqueued: false });

    await dispatcher().runOnce();
    await dispatcher().runOnce();

    expect(await inbox(sink, email)).toHaveLength(1);
    expect(results).toEqual(['payment_failed:enqueued', 'payment_failed:duplicate', 'payment_failed:sent']);
  });

  test('an organization without a billing email gets a failed row with the reason, and nothing is sent', async () => {
    const { organizationId } = await newCustomer(null);
    expect(await notifier().enqueue(paymentFailed(organizationId))).toEqual({ enqueued: false });

    expect((await dispatcher().runOnce()).claimed).toBe(0);
    expect(await outboxRow(t.db, paymentFailed(organizationId).dedupeKey)).toMatchObject({
      status: 'failed',
      to_address: null,
      last_error: `no billing email on file for organization ${organizationId}`,
    });
    expect(await inbox(sink)).toEqual([]);
  });

  test('data that does not fit the template is rejected before anything is stored', async () => {
    const { organizationId } = await newCustomer();
    const request = { ...paymentFailed(organizationId), data: { amountDue: 2900 } };
    await expect(notifier().enqueue(request)).rejects.toThrow(/Invalid data for notification "payment_failed"/);
    expect(await t.db.selectFrom('email_outbox').select('id').execute()).toEqual([]);
  });

  test('a mail server answering 451 gets the message again after the backoff, and it arrives once', async () => {
    const { organizationId, email } = await newCustomer();
    await notifier().enqueue(paymentFailed(organizationId));
    await injectSmtpFaults(sink, { rejectNext: 2, code: 451 });
    const d = dispatcher();

    expect(await d.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    const afterFirst = await outboxRow(t.db, paymentFailed(organizationId).dedupeKey);
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1 });
    expect(afterFirst.last_error).toMatch(/451/);
    expect(afterFirst.next_attempt_at.getTime() - afterFirst.updated_at.getTime()).toBe(FAST_BACKOFF.baseMs);
    // Not due before its backoff has passed.
    expect((await d.runOnce()).claimed).toBe(0);

    await sleep(FAST_BACKOFF.baseMs + 50);
    expect(await d.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    const afterSecond = await outboxRow(t.db, paymentFailed(organizationId).dedupeKey);
    expect(afterSecond.next_attempt_at.getTime() - afterSecond.updated_at.getTime()).toBe(FAST_BACKOFF.baseMs * 2);
    await sleep(FAST_BACKOFF.baseMs * 2 + 50);
    expect(await d.runOnce()).toMatchObject({ claimed: 1, sent: 1 });

    expect(await inbox(sink, email)).toHaveLength(1);
    expect(await outboxRow(t.db, paymentFailed(organizationId).dedupeKey)).toMatchObject({
      status: 'sent',
      attempts: 3,
      last_error: null,
    });
  });

  test('while the mail server is down rows stay pending with the error, and they go out once it is back', async () => {
    const { organizationId, email } = await newCustomer();
    await notifier().enqueue(paymentFailed(organizationId));
    const smtpPort = sink.smtpPort;
    await sink.close();
    try {
      expect(await dispatcher().runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      const row = await outboxRow(t.db, paymentFailed(organizationId).dedupeKey);
      expect(row.status).toBe('pending');
      expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      sink = await createMailSink({ smtpPort });
    }
    await sleep(FAST_BACKOFF.baseMs + 50);
    expect(await dispatcher().runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await inbox(sink, email)).toHaveLength(1);
  });

  test('one pooled connection carries a batch: every message of it arrives on the same SMTP connection', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => newCustomer()));
    for (const c of customers) await notifier().enqueue(paymentFailed(c.organizationId));

    expect(await dispatcher({ concurrency: 1 }).runOnce()).toMatchObject({ claimed: 5, sent: 5 });

    const received = await inbox(sink);
    expect(received.flatMap((m) => m.envelope.rcptTo).sort()).toEqual(customers.map((c) => c.email).sort());
    expect(new Set(received.map((m) => m.envelope.connection)).size).toBe(1);
  });

  test('a pooled connection the mail server closed (a restart) loses nothing: the next send goes out once', async () => {
    const d = dispatcher();
    const first = await newCustomer();
    await notifier().enqueue(paymentFailed(first.organizationId));
    expect(await d.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const before = (await inbox(sink, first.email))[0]?.envelope.connection;

    const smtpPort = sink.smtpPort;
    await sink.close();
    sink = await createMailSink({ smtpPort });
    const second = await newCustomer();
    await notifier().enqueue(paymentFailed(second.organizationId));
    // The pool may still hold the dead connection: the send then fails and is retried after the backoff.
    await eventually(async () => ((await d.runOnce()).sent === 1 ? true : undefined), 10_000);

    const received = await inbox(sink, second.email);
    expect(received).toHaveLength(1);
    expect(received[0]?.envelope.connection).not.toBe(before);
    expect(await outboxRow(t.db, paymentFailed(second.organizationId).dedupeKey)).toMatchObject({ status: 'sent' });
  });

  test('a permanent 5xx rejection marks the message failed at once; repeated temporary failures give up after maxAttempts', async () => {
    const permanent = await newCustomer();
    await notifier().enqueue(paymentFailed(permanent.organizationId));
    await injectSmtpFaults(sink, { rejectNext: 1, code: 550 });
    expect(await dispatcher().runOnce()).toMatchObject({ dead: 1 });
    expect(await outboxRow(t.db, paymentFailed(permanent.organizationId).dedupeKey)).toMatchObject({
      status: 'failed',
      attempts: 1,
    });

    const temporary = await newCustomer();
    await notifier().enqueue(paymentFailed(temporary.organizationId));
    await injectSmtpFaults(sink, { rejectNext: 100, code: 451 });
    const d = dispatcher({ backoff: { baseMs: 10, maxMs: 10, maxAttempts: 3 } });
    for (let i = 0; i < 3; i++) {
      await eventually(async () => ((await d.runOnce()).claimed === 1 ? true : undefined));
    }
    await injectSmtpFaults(sink, { rejectNext: 0 });
    const row = await outboxRow(t.db, paymentFailed(temporary.organizationId).dedupeKey);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row.last_error).toMatch(/451/);
    expect(results.filter((r) => r.endsWith(':dead'))).toHaveLength(2);
    expect(await inbox(sink)).toEqual([]);
  });

  test('two dispatchers polling at once send every message exactly once', async () => {
    const customers = await Promise.all(Array.from({ length: 12 }, () => newCustomer()));
    for (const c of customers) await notifier().enqueue(paymentFailed(c.organizationId));
    const [a, b] = [dispatcher({ batchSize: 3 }), dispatcher({ batchSize: 3 })];

    const summaries = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);

    expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(12);
    const received = (await inbox(sink)).flatMap((m) => m.envelope.rcptTo).sort();
    expect(received).toEqual(customers.map((c) => c.email).sort());
  });

  test('with a send concurrency of 4 a batch keeps four sends in flight, each message sent and recorded once', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => newCustomer()));
    for (const c of customers) await notifier().enqueue(paymentFailed(c.organizationId));
    const smtp = smtpTransport();
    let inFlight = 0;
    const peaks: number[] = [];
    const slowSmtp = (concurrency?: number) =>
      dispatcher({
        ...(concurrency !== undefined && { concurrency }),
        transport: {
          sendMail: async (mail) => {
            peaks.push(++inFlight);
            try {
              await sleep(150);
              return await smtp.sendMail(mail);
            } finally {
              inFlight -= 1;
            }
          },
        },
      });

    expect(await slowSmtp(4).runOnce()).toMatchObject({ claimed: 10, sent: 10, retried: 0, dead: 0 });
    expect(Math.max(...peaks)).toBe(4);
    const received = (await inbox(sink)).flatMap((m) => m.envelope.rcptTo).sort();
    expect(received).toEqual(customers.map((c) => c.email).sort());
    const statuses = await t.db.selectFrom('email_outbox').select(['status', 'attempts']).execute();
    expect(statuses).toEqual(Array.from({ length: 10 }, () => ({ status: 'sent', attempts: 1 })));

    // Without the setting the dispatcher sends one at a time, as before.
    peaks.length = 0;
    const more = await Promise.all(Array.from({ length: 3 }, () => newCustomer()));
    for (const c of more) await notifier().enqueue(paymentFailed(c.organizationId));
    expect(await slowSmtp().runOnce()).toMatchObject({ claimed: 3, sent: 3 });
    expect(Math.max(...peaks)).toBe(1);
  });

  test('an error in one lane fails the round only after the other lanes sent and recorded theirs', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, () => newCustomer()));
    for (const c of customers) await notifier().enqueue(paymentFailed(c.organizationId));
    let outcomes = 0;
    const d = dispatcher({
      concurrency: 4,
      // After a message is recorded as sent: the first outcome's hook fails, as a lost database would fail a lane.
      onResult: () => {
        if (++outcomes === 1) throw new Error('lane failed');
      },
    });
    await expect(d.runOnce()).rejects.toThrow('lane failed');
    const rows = await t.db.selectFrom('email_outbox').select('status').execute();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(outcomes).toBe(4);
  });

  test('a claim whose dispatcher died mid-send is picked up again after its lease (the at-least-once edge)', async () => {
    const { organizationId, email } = await newCustomer();
    await notifier().enqueue(paymentFailed(organizationId));
    const crashed = createEmailDispatcher({
      db: t.db,
      from: FROM,
      leaseMs: 800,
      transport: { sendMail: () => new Promise<never>(() => undefined) },
    });
    void crashed.runOnce();
    await eventually(async () =>
      (await outboxRow(t.db, paymentFailed(organizationId).dedupeKey)).status === 'sending' ? true : undefined,
    );
    expect((await dispatcher().runOnce()).claimed).toBe(0);

    await sleep(850);
    expect(await dispatcher().runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await inbox(sink, email)).toHaveLength(1);
    expect(await outboxRow(t.db, paymentFailed(organizationId).dedupeKey)).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  test('the polling loop delivers new messages and stops after finishing the batch in flight', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => newCustomer()));
    let releaseSend: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseSend = resolve));
    const smtp = smtpTransport();
    const d = dispatcher({
      pollIntervalMs: 30,
      transport: { sendMail: async (mail) => (await gate, smtp.sendMail(mail)) },
    });
    d.start();
    for (const c of customers) await notifier().enqueue(paymentFailed(c.organizationId));
    await eventually(async () => {
      const statuses = await t.db.selectFrom('email_outbox').select('status').execute();
      return statuses.some((s) => s.status === 'sending') ? true : undefined;
    });

    const stopped = d.stop();
    releaseSend();
    await stopped;
    const inFlight = await t.db.selectFrom('email_outbox').select('status').where('status', '=', 'sending').execute();
    expect(inFlight).toEqual([]);
    const sentBeforeStop = (await inbox(sink)).length;
    expect(sentBeforeStop).toBeGreaterThan(0);

    const late = await newCustomer();
    await notifier().enqueue(paymentFailed(late.organizationId));
    await sleep(150);
    expect(await inbox(sink, late.email)).toEqual([]);
    expect(
      await t.db
        .selectFrom('email_outbox')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst(),
    ).toEqual({
      n: 1 + 3 - sentBeforeStop,
    });
  });
});
