import Stripe from 'stripe';
import { parseInboundEvent, type InboundEvent } from './stripe-event';

export type RejectionReason =
  'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed' | 'livemode_mismatch';

/** Why a delivery was refused; the route turns it into a 4xx envelope, a counter and a log line. */
export class WebhookRejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejection';
  }
}

export interface VerifyOptions {
  /** Several during a rotation: a delivery signed with any of them is accepted. */
  secrets: readonly string[];
  toleranceSeconds: number;
  livemode: boolean;
}

/** A signature that matches some secret but carries an old timestamp is stale, not forged. */
function matchesIgnoringAge(raw: Uint8Array, header: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => {
    try {
      return Stripe.webhooks.signature?.verifyHeader(raw, header, secret, 0) === true;
    } catch {
      return false;
    }
  });
}

/**
 * Verifies the Stripe-Signature over the exact bytes received, then parses and checks the envelope.
 * Verification runs before any parsing, so nothing unauthenticated is ever interpreted.
 */
export function verifyStripeWebhook(raw: Uint8Array, header: string | undefined, opts: VerifyOptions): InboundEvent {
  if (!header) throw new WebhookRejection('missing_signature', 'The Stripe-Signature header is missing');
  let event: unknown;
  for (const secret of opts.secrets) {
    try {
      event = Stripe.webhooks.constructEvent(raw, header, secret, opts.toleranceSeconds);
      break;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // The signature matched but the SDK could not build an event: bytes that are not JSON, or a thin (v2) event.
      throw new WebhookRejection(
        'malformed',
        err instanceof SyntaxError ? 'The body is not valid JSON' : 'The body is not a snapshot event',
      );
    }
  }
  if (event === undefined) {
    if (matchesIgnoringAge(raw, header, opts.secrets)) {
      throw new WebhookRejection(
        'stale_timestamp',
        `The signature timestamp is older than ${opts.toleranceSeconds} s; replays are refused`,
      );
    }
    throw new WebhookRejection(
      'bad_signature',
      'The Stripe-Signature does not match the body for any configured webhook secret',
    );
  }
  const parsed = parseInboundEvent(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejection(
      'malformed',
      `The body is not a Stripe event: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  if (parsed.data.livemode !== opts.livemode) {
    throw new WebhookRejection(
      'livemode_mismatch',
      `A ${parsed.data.livemode ? 'live' : 'test'}-mode event reached a ${opts.livemode ? 'live' : 'test'}-mode service`,
    );
  }
  return parsed.data;
}
