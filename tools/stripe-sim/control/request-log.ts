export interface LoggedRequest {
  requestId: string;
  method: string;
  path: string;
  /** The raw query string (GET/DELETE parameters), without `?`. */
  query: string;
  /** The raw form body exactly as the client sent it. */
  body: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  status: number;
  at: string;
}

/** Every Stripe API request the simulator received, so a contract test can replay them elsewhere. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly limit = 10_000) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  all(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
