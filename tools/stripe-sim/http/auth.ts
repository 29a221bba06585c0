import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './errors';

/** Any `sk_test_` key is accepted, sent as a bearer token or as HTTP basic auth (curl -u sk_test_x:). */
export function requireTestKey(headers: IncomingHttpHeaders): void {
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
  if (!key.startsWith('sk_test_') || key.length <= 'sk_test_'.length) {
    const shown =
      key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
    throw unauthorized(`Invalid API Key provided: ${shown}`);
  }
}
