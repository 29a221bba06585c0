/** What happened to one notification, for counters the metrics endpoint exposes. */
export type EnqueueOutcome = 'enqueued' | 'duplicate' | 'no_recipient';
export type DeliveryOutcome = 'sent' | 'retry' | 'dead';

/** `kind` is a NotificationKind; the dispatcher reads it back from the outbox as stored text. */
export type OnNotificationResult = (kind: string, outcome: EnqueueOutcome | DeliveryOutcome) => void;
