import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** The one thing the dispatcher needs from nodemailer; tests and other transports fit it too. */
export interface EmailTransport {
  sendMail(mail: Mail.Options): Promise<unknown>;
}

/**
 * A nodemailer SMTP transport from `SMTP_URL`. nodemailer's default timeouts (minutes) would let one
 * dead server stall a whole batch, so they are shortened.
 *
 * Pooled: up to `maxConnections` connections (the dispatcher's send concurrency) stay open and carry up to 100
 * messages each, instead of a connection, greeting and EHLO per message (measured in the scale bench: that handshake
 * was most of what an email cost the worker and the mail server). A connection idle for `socketTimeout` is closed; one
 * the server closes (a restart) leaves the pool, and a message in flight on it fails like any refused send: the outbox
 * keeps it and the dispatcher retries it with backoff on a new connection.
 */
export function createSmtpTransport(
  smtpUrl: string,
  opts: { maxConnections?: number } = {},
): EmailTransport & { close(): void } {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    pool: true,
    maxConnections: opts.maxConnections ?? 1,
    maxMessages: 100,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
