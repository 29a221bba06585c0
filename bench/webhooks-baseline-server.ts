/**
 * The floor the webhook endpoint is measured against: a bare node:http server that verifies the
 * signature with the SDK and inserts into the inbox, nothing else (no framework, no logging, no
 * organization lookup). Started by bench/webhooks.ts on its own process.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import Stripe from 'stripe';
import { loadConfig } from '../src/config';

const config = loadConfig();
const secret = config.stripe.webhookSecrets[0] ?? '';
const pool = new pg.Pool({
  connectionString: config.database.url,
  max: config.database.poolMax,
  application_name: 'bench-webhooks-baseline',
});

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(
        raw,
        req.headers['stripe-signature'] ?? '',
        secret,
        config.stripe.webhookToleranceSeconds,
      );
    } catch {
      res.writeHead(400).end();
      return;
    }
    const object = event.data.object as { id?: string };
    pool
      .query(
        `insert into stripe_events (id, type, api_version, livemode, stripe_created_at, object_id, payload)
         values ($1, $2, $3, $4, to_timestamp($5), $6, $7) on conflict (id) do nothing`,
        [
          event.id,
          event.type,
          event.api_version,
          event.livemode,
          event.created,
          object.id ?? null,
          raw.toString('utf8'),
        ],
      )
      .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'))
      .catch(() => res.writeHead(500).end());
  });
}).listen(config.http.port, config.http.host);
