import { SMTPServer } from 'smtp-server';
import type { FaultSwitch } from './faults';
import type { MessageStore } from './message-store';
import { parseMessage } from './parse-message';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** An SMTP server that accepts any sender and recipient without authentication or TLS (loopback only). */
export function createSmtpServer(store: MessageStore, faults: FaultSwitch): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    // Without STARTTLS on offer, nodemailer stays in plain text and needs no certificate.
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 }));
          return;
        }
        // Refused messages are not stored: the client was told they were not accepted.
        const rejection = faults.takeRejection();
        if (rejection) {
          callback(rejection);
          return;
        }
        const mailFrom = session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address;
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        // Accepted only once parsed and stored, so a client told 250 can rely on the message being in the inbox.
        parseMessage(Buffer.concat(chunks)).then(
          (parsed) => {
            store.add(parsed, { mailFrom, rcptTo, connection: session.id });
            callback();
          },
          (err: unknown) =>
            callback(Object.assign(new Error(`Unparseable message: ${String(err)}`), { responseCode: 554 })),
        );
      });
    },
  });
}
