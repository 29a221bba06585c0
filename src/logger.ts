import pino, { type Logger } from 'pino';
import type { Config } from './config';

export function createLogger(config: Pick<Config, 'logLevel'>, name: string): Logger {
  return pino(
    {
      name,
      level: config.logLevel,
      // Never log credentials, even when a whole request or error object is logged.
      redact: ['req.headers.authorization', 'headers.authorization', '*.secretKey', '*.jwtSecret', 'config.stripe', 'config.auth'],
    },
    // Asynchronous stdout: lines logged while a write is in flight go out together in the next one
    // (one syscall for many request lines under load, none of the request path's time spent in
    // write(2)); nothing waits when it is quiet, and pino flushes synchronously on exit.
    pino.destination({ dest: 1, sync: false }),
  );
}
