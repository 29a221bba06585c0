import { z } from 'zod';
import type { Db } from '../db/database';
import type { OnNotificationResult } from './outcomes';
import { insertOutboxMessage } from './store';
import { renderNotification } from './templates';
import type { NotificationRequest, Notifier } from './types';

export interface OutboxNotifierDeps {
  db: Db;
  /** Usually `billingEmailResolver(db)`; null when the organization has no billing email. */
  resolveRecipient(organizationId: string): Promise<string | null>;
  /** Base URL of the product for links in emails (Config.http.publicUrl). */
  publicUrl: string;
  onResult?: OnNotificationResult;
}

const requestSchema = z.object({
  organizationId: z.string().min(1),
  dedupeKey: z.string().min(1).max(500),
});
const emailAddress = z.email();

/**
 * A Notifier that renders the email at once and stores it in `email_outbox`; the dispatcher sends it.
 * Rendering up front means a bad call fails in the calling activity (InvalidNotificationDataError), and
 * what is sent later is exactly what was decided now. Enqueuing the same dedupe key again is a no-op.
 *
 * `enqueued` is true only when a new message was stored for delivery. Without a usable recipient the
 * message is still stored, as `failed` with the reason, so the gap is visible rather than silent.
 */
export function createOutboxNotifier(deps: OutboxNotifierDeps): Notifier {
  return {
    async enqueue(request: NotificationRequest) {
      requestSchema.parse(request);
      const email = renderNotification(request, { publicUrl: deps.publicUrl });
      const resolved = await deps.resolveRecipient(request.organizationId);
      const recipient = resolved && emailAddress.safeParse(resolved).success ? resolved : null;
      const base = {
        dedupe_key: request.dedupeKey,
        organization_id: request.organizationId,
        kind: request.kind,
        subject: email.subject,
        text_body: email.text,
        html_body: email.html,
      };
      const stored = await insertOutboxMessage(
        deps.db,
        recipient
          ? { ...base, to_address: recipient, status: 'pending' }
          : {
              ...base,
              to_address: null,
              status: 'failed',
              last_error: resolved
                ? `billing email "${resolved}" of organization ${request.organizationId} is not a valid address`
                : `no billing email on file for organization ${request.organizationId}`,
            },
      );
      deps.onResult?.(request.kind, !stored ? 'duplicate' : recipient ? 'enqueued' : 'no_recipient');
      return { enqueued: stored && recipient !== null };
    },
  };
}
