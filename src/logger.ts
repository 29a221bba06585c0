import pino, { type Logger } from 'pino';
import type { Config } from './config';

export function createLogger(config: Pick<Config, 'logLevel'>, name: string): Logger {
  return pino(
    {
      name,
      level: config.logLevel,
      // Never log credentials, even when a whole request or error object is logged.
      redact: [
        'req.headers.authorization',
        'headers.authorization',
        '*.secretKey',
        '*.jwtSecret',
        'config.stripe',
        'config.auth',
      ],
    },
    // Buffered, asynchronous stdout: lines go out in writes of 4 KiB or every 200 ms, whichever
    // comes first (one syscall for a dozen request lines under load instead of one per line); pino
    // flushes synchronously on exit, so only a SIGKILL can lose the last 200 ms of lines.
    pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 }),
  );
}
