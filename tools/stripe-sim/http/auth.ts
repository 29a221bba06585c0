import type { IncomingHttpHeaders } from 'node:http';
import { resourceMissing, unauthorized } from './errors';
import type { FormObject } from './form';

export type KeyKind = 'secret' | 'publishable';

/**
 * Any `sk_test_` key is accepted, sent as a bearer token or as HTTP basic auth (curl -u sk_test_x:); so is a
 * `pk_test_` key, for the calls a browser makes with one (see requirePublishableAccess).
 */
export function requireTestKey(headers: IncomingHttpHeaders): KeyKind {
  const header = headers.authorization;
  if (!header) {
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const [scheme, credential = ''] = header.split(' ', 2);
  const key =
    scheme?.toLowerCase() === 'basic'
      ? (Buffer.from(credential, 'base64').toString('utf8').split(':')[0] ?? '')
      : credential;
  for (const [prefix, kind] of [
    ['sk_test_', 'secret'],
    ['pk_test_', 'publishable'],
  ] as const)
    if (key.startsWith(prefix) && key.length > prefix.length) return kind;
  const shown = key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
  throw unauthorized(`Invalid API Key provided: ${shown}`);
}

const SETUP_INTENT_CLIENT_CALL = /^\/v1\/setup_intents\/([^/]+)(\/confirm)?$/;

/**
 * A publishable key reaches only what Stripe.js does with a client secret: retrieving and confirming a SetupIntent
 * whose `client_secret` it sends ("Client-side retrieval using a publishable key is allowed when the client_secret
 * is provided", https://docs.stripe.com/api/setup_intents/retrieve; confirm: https://docs.stripe.com/api/setup_intents/confirm).
 * A wrong secret reads as a missing intent, as Stripe answers it.
 */
export function requirePublishableAccess(
  method: string,
  path: string,
  params: FormObject,
  clientSecretOf: (setupIntentId: string) => string | null | undefined,
): void {
  const call = SETUP_INTENT_CLIENT_CALL.exec(path);
  const allowed = call && (call[2] ? method === 'POST' : method === 'GET');
  if (!call || !allowed)
    throw unauthorized('This API call cannot be made with a publishable API key. Please use a secret API key.');
  const id = decodeURIComponent(call[1] ?? '');
  const secret = clientSecretOf(id);
  if (!secret || params.client_secret !== secret) throw resourceMissing('setup_intent', id, 'intent');
}
