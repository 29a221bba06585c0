import { z } from 'zod';

export const webhookFaultSchema = z.strictObject({
  /** drop: never delivered; duplicate: delivered twice; reorder: the next `count` are held and sent newest first; delay: held `delayMs`. */
  action: z.enum(['drop', 'duplicate', 'reorder', 'delay']),
  count: z.number().int().min(1).default(1),
  delayMs: z.number().int().min(0).max(600_000).default(1_000),
});
export type WebhookFault = z.output<typeof webhookFaultSchema>;

/** Faults applied to the next deliveries, in the order they were added. */
export class WebhookFaults {
  private faults: WebhookFault[] = [];

  add(fault: WebhookFault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  list(): WebhookFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  take(): WebhookFault | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.shift();
    return { ...fault };
  }
}
