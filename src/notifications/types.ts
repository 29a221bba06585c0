import type { NotificationKind } from '../domain/notification-kinds';

export type { NotificationKind } from '../domain/notification-kinds';

export interface NotificationRequest {
  organizationId: string;
  kind: NotificationKind;
  /**
   * Deterministic per business event (e.g. `payment_failed:<invoiceId>:<attempt>`): enqueuing the same
   * key twice stores one message, so a retried activity never sends a second email.
   */
  dedupeKey: string;
  data: Record<string, string | number | boolean | null>;
}

export interface Notifier {
  enqueue(request: NotificationRequest): Promise<{ enqueued: boolean }>;
}
