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

/** An object id in a path segment (`in_1AbC…`: a lowercase prefix, then base62 with a digit or capital). */
const ID_SEGMENT = /^[a-z]+_(?=[0-9A-Za-z]*[0-9A-Z])[0-9A-Za-z]{8,}$/;

/** `POST /v1/invoices/in_123…/pay` → `POST /v1/invoices/:id/pay`: the endpoint, as Stripe's per-endpoint limits count it. */
export function endpointOf(method: string, path: string): string {
  return `${method} ${path
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? ':id' : s))
    .join('/')}`;
}

/**
 * Every Stripe API request the simulator received, so a contract test can replay them elsewhere. The entries are
 * capped (the newest `limit`); the count per endpoint is not, so a benchmark can count a long run's requests.
 */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  private counts = new Map<string, number>();

  constructor(private readonly limit = 10_000) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    const endpoint = endpointOf(entry.method, entry.path);
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  all(): LoggedRequest[] {
    return [...this.entries];
  }

  /** Requests per endpoint since the start (or the last clear), uncapped. */
  countsByEndpoint(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  clear(): void {
    this.entries = [];
    this.counts.clear();
  }
}
