import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** The one thing the dispatcher needs from nodemailer; tests and other transports fit it too. */
export interface EmailTransport {
  sendMail(mail: Mail.Options): Promise<unknown>;
}

/**
 * A nodemailer SMTP transport from `SMTP_URL`. nodemailer's default timeouts (minutes) would let one
 * dead server stall a whole batch, so they are shortened. No pooling: each message opens its own
 * connection, which survives a restarted mail server without stale sockets.
 */
export function createSmtpTransport(smtpUrl: string): EmailTransport & { close(): void } {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
