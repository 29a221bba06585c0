import { z } from 'zod';

export const apiFaultSchema = z.strictObject({
  /** How many matching requests fail. */
  count: z.number().int().min(1).default(1),
  /**
   * 500 / 429: answered with that error, nothing executed. timeout: the connection hangs `hangMs`, then is dropped.
   * delay: executed at once, answered after `hangMs` (a slow Stripe; the write is done before anyone hears of it).
   */
  kind: z.enum(['500', '429', 'timeout', 'delay']),
  /** Only requests with this method (e.g. POST) are affected. */
  method: z.string().toUpperCase().optional(),
  /** Only requests whose path matches this regular expression, e.g. `^/v1/subscriptions`. */
  path: z.string().optional(),
  /** For `timeout`: how long the connection hangs before it is dropped; for `delay`: how long the answer is held. */
  hangMs: z.number().int().min(0).max(600_000).default(5_000),
  /**
   * For `timeout`: the request is executed before the connection is lost, as when Stripe did the work but the
   * answer never arrived; only the idempotency key then keeps a retry from doing it twice.
   */
  executed: z.boolean().default(false),
});
export type ApiFault = z.output<typeof apiFaultSchema>;

/** Queued API failures, consumed in order by the requests they match. */
export class FaultInjector {
  private faults: ApiFault[] = [];

  add(fault: ApiFault): void {
    this.faults.push({ ...fault });
  }

  list(): ApiFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  take(method: string, path: string): ApiFault | undefined {
    const fault = this.faults.find(
      (f) => (!f.method || f.method === method) && (!f.path || new RegExp(f.path).test(path)),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
