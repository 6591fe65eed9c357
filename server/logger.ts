import pino, { type Logger } from 'pino';

/** One JSON line per event; secrets are redacted wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
  });
}
