import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

/** The service's logger: JSON lines on stdout (pretty-print them with `| npx pino-pretty`). */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'mastery-engine' } });
}
