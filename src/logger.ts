import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** One JSON object per line for machines; with LOG_FORMAT=pretty (a terminal), pino-pretty's readable lines. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, name: string): Logger {
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
    config.logFormat === 'pretty'
      ? pino.transport({
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: 1 },
        })
      : pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 }),
  );
}
