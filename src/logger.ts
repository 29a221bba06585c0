import pino, { type Logger } from 'pino';
import type { Config } from './config';

export function createLogger(config: Pick<Config, 'logLevel'>, name: string): Logger {
  return pino({
    name,
    level: config.logLevel,
    // Never log credentials, even when a whole request or error object is logged.
    redact: ['req.headers.authorization', 'headers.authorization', '*.secretKey', '*.jwtSecret', 'config.stripe', 'config.auth'],
  });
}
