export type { NotificationKind, NotificationRequest, Notifier } from './types';
export { createOutboxNotifier, type OutboxNotifierDeps } from './outbox-notifier';
export {
  createEmailDispatcher,
  type EmailDispatcher,
  type EmailDispatcherDeps,
  type DispatchSummary,
} from './email-dispatcher';
export { billingEmailResolver } from './billing-recipient';
export { createSmtpTransport, type EmailTransport } from './smtp-transport';
export { DEFAULT_EMAIL_BACKOFF, type BackoffPolicy } from './backoff';
export type { DeliveryOutcome, EnqueueOutcome, OnNotificationResult } from './outcomes';
export {
  InvalidNotificationDataError,
  notificationDataSchemas,
  renderNotification,
  type NotificationData,
} from './templates';
