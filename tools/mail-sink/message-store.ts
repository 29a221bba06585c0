import { randomUUID } from 'node:crypto';
import type { ParsedMessage } from './parse-message';

export interface ReceivedMessage extends ParsedMessage {
  id: string;
  receivedAt: string;
  /**
   * What the SMTP client said in MAIL FROM / RCPT TO; may differ from the headers (Bcc). `connection`: the SMTP
   * connection it came on (messages a pooled client sends on one connection share it).
   */
  envelope: { mailFrom: string | null; rcptTo: string[]; connection: string };
}

/** Keeps the most recent messages in arrival order; old ones fall off so a long-running sink stays small. */
export class MessageStore {
  private readonly messages: ReceivedMessage[] = [];

  constructor(private readonly capacity = 1_000) {}

  add(parsed: ParsedMessage, envelope: ReceivedMessage['envelope']): ReceivedMessage {
    const message: ReceivedMessage = { id: randomUUID(), receivedAt: new Date().toISOString(), envelope, ...parsed };
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
    return message;
  }

  /** Newest last. `to` matches an envelope recipient or a To/Cc header address, case-insensitively. */
  list(filter: { to?: string } = {}): ReceivedMessage[] {
    const to = filter.to?.toLowerCase();
    if (!to) return [...this.messages];
    return this.messages.filter((m) =>
      [...m.envelope.rcptTo, ...m.to, ...m.cc].some((address) => address.toLowerCase() === to),
    );
  }

  get(id: string): ReceivedMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  clear(): void {
    this.messages.length = 0;
  }

  get size(): number {
    return this.messages.length;
  }
}
