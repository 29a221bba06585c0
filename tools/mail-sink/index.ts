import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { FaultSwitch } from './faults';
import { createHttpApp } from './http';
import { MessageStore, type ReceivedMessage } from './message-store';
import { createSmtpServer } from './smtp';

export type { ReceivedMessage } from './message-store';
export type { FaultState } from './faults';

export interface MailSinkOptions {
  host?: string;
  /** 0 (the default) picks a free port, which is what in-process tests want. */
  smtpPort?: number;
  httpPort?: number;
  /** Messages kept, the newest (default 1,000). */
  capacity?: number;
}

export interface MailSink {
  host: string;
  smtpPort: number;
  httpPort: number;
  /** `smtp://host:port`, ready for nodemailer. */
  smtpUrl: string;
  httpUrl: string;
  messages(filter?: { to?: string }): ReceivedMessage[];
  close(): Promise<void>;
}

function listen(
  start: (onListening: () => void) => {
    address(): AddressInfo | string | null;
    once(event: 'error', cb: (err: Error) => void): unknown;
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = start(() => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('server did not report a TCP port'));
    });
    server.once('error', reject);
  });
}

/** Starts the SMTP server and its HTTP inbox API on loopback; both close with `close()`. */
export async function createMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const store = new MessageStore(options.capacity);
  const faults = new FaultSwitch();
  const smtp = createSmtpServer(store, faults);
  const smtpPort = await listen((cb) => smtp.listen(options.smtpPort ?? 0, host, cb));

  const app = createHttpApp(store, faults, () => smtpPort);
  let http: Server | undefined;
  let httpPort: number;
  try {
    httpPort = await listen((cb) => {
      http = serve({ fetch: app.fetch, port: options.httpPort ?? 0, hostname: host }, cb) as Server;
      return http;
    });
  } catch (err) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw err;
  }

  return {
    host,
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    httpUrl: `http://${host}:${httpPort}`,
    messages: (filter) => store.list(filter),
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        new Promise<void>((resolve) => {
          http?.closeAllConnections();
          http?.close(() => resolve());
        }),
      ]);
    },
  };
}
