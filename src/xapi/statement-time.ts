import type { Loose, Read } from './statement-reading.js';

/** An ISO 8601 date-time in extended format, seconds required, with any offset form or none. */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A statement's time as the engine's RFC 3339: `+0200` and `+02` become `+02:00`, a decimal
 * comma a point, and no offset at all means UTC (xAPI 1.0.3 only asks for one, and an LRS
 * reads a time without it as UTC). Anything else is passed on for the engine's check to name.
 */
export function rfc3339Of(timestamp: string): string {
  const m = DATE_TIME.exec(timestamp);
  if (!m) return timestamp;
  const [, local, offset] = m;
  const time = local!.replace(',', '.');
  if (offset === undefined) return `${time}Z`;
  if (/^[Zz]$/.test(offset)) return `${time}Z`;
  const digits = offset.replace(':', '');
  return `${time}${digits.slice(0, 3)}:${digits.slice(3) || '00'}`;
}

/**
 * When the statement happened: its timestamp, else the time an LRS stored it (the timestamp
 * xAPI gives a statement without one), else now.
 */
export function timeOf(s: Loose, now: Date): Read<unknown> {
  if (s.timestamp !== undefined) return { value: typeof s.timestamp === 'string' ? rfc3339Of(s.timestamp) : s.timestamp, field: 'timestamp' };
  if (typeof s.stored === 'string') return { value: rfc3339Of(s.stored), field: 'stored' };
  return { value: now.toISOString(), field: 'timestamp' };
}
