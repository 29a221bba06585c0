import type { NotificationKind } from './types';

/** What happened to one notification, for counters the metrics endpoint exposes. */
export type EnqueueOutcome = 'enqueued' | 'duplicate' | 'no_recipient';
export type DeliveryOutcome = 'sent' | 'retry' | 'dead';

export type OnNotificationResult = (kind: NotificationKind | string, outcome: EnqueueOutcome | DeliveryOutcome) => void;
