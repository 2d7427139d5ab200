import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
}

/** A token given in the query (EventSource cannot send headers) must never reach the logs. */
export function redactTokens(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/g, '$1[redacted]');
}

/** The service's logger: JSON lines on stdout (pretty-print them with `| npx pino-pretty`). */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'mastery-engine' },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: redactTokens(req.url), host: req.host, remoteAddress: req.ip }),
    },
  });
}
