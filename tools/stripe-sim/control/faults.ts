import { z } from 'zod';

export const apiFaultSchema = z.strictObject({
  /** How many matching requests fail. */
  count: z.number().int().min(1).default(1),
  kind: z.enum(['500', '429', 'timeout']),
  /** Only requests with this method (e.g. POST) are affected. */
  method: z.string().toUpperCase().optional(),
  /** Only requests whose path matches this regular expression, e.g. `^/v1/subscriptions`. */
  path: z.string().optional(),
  /** For `timeout`: how long the connection hangs before it is dropped. */
  hangMs: z.number().int().min(0).max(600_000).default(5_000),
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
    const fault = this.faults.find((f) => (!f.method || f.method === method) && (!f.path || new RegExp(f.path).test(path)));
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
