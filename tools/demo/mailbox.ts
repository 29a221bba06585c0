import { z } from 'zod';
import { done, notYet, waitFor } from './wait';

const MessageSchema = z.object({
  subject: z.string(),
  receivedAt: z.string(),
  headers: z.record(z.string(), z.string()),
});
const MessagesSchema = z.array(MessageSchema);

export interface Mail {
  /** The notification kind the service stamps on every billing email (X-Billing-Notification). */
  kind: string;
  subject: string;
}

/** One customer's inbox, read back from the local mail sink's HTTP API. */
export class Mailbox {
  constructor(
    private readonly sinkUrl: string,
    readonly address: string,
  ) {}

  async list(): Promise<Mail[]> {
    const res = await fetch(`${this.sinkUrl}/messages?to=${encodeURIComponent(this.address)}`);
    if (!res.ok) throw new Error(`mail sink answered ${res.status} for ${this.address}`);
    return MessagesSchema.parse(await res.json()).map((m) => ({
      kind: m.headers['x-billing-notification'] ?? 'unknown',
      subject: m.subject,
    }));
  }

  async count(kind: string): Promise<number> {
    return (await this.list()).filter((m) => m.kind === kind).length;
  }

  /** Waits until at least `atLeast` emails of `kind` arrived and returns the newest one. */
  waitFor(kind: string, atLeast = 1, timeoutMs = 30_000): Promise<Mail> {
    return waitFor(
      `${atLeast} "${kind}" email(s) to ${this.address}`,
      async () => {
        const mails = (await this.list()).filter((m) => m.kind === kind);
        const newest = mails[atLeast - 1] && mails[mails.length - 1];
        return newest ? done(newest) : notYet(`${mails.length} so far`);
      },
      { timeoutMs, intervalMs: 500 },
    );
  }
}
