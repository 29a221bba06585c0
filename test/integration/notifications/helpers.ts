import type { Db } from '../../../src/db/database';
import type { MailSink, ReceivedMessage } from '../../../tools/mail-sink';

/** Reads the sink through its HTTP API, as the scripts and e2e tests do. */
export async function inbox(sink: MailSink, to?: string): Promise<ReceivedMessage[]> {
  const res = await fetch(`${sink.httpUrl}/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  if (!res.ok) throw new Error(`GET /messages answered ${res.status}`);
  return (await res.json()) as ReceivedMessage[];
}

export async function injectSmtpFaults(sink: MailSink, body: { rejectNext: number; code?: number }): Promise<void> {
  const res = await fetch(`${sink.httpUrl}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST /faults answered ${res.status}`);
}

export async function addBillingCustomer(db: Db, organizationId: string, email: string | null): Promise<void> {
  await db
    .insertInto('billing_customers')
    .values({ organization_id: organizationId, stripe_customer_id: `cus_${organizationId}`, email })
    .execute();
}

export async function outboxRow(db: Db, dedupeKey: string) {
  return db.selectFrom('email_outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
