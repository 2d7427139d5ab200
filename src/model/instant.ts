import type { Day } from './days.js';

const ZEROS = '000000000';

/**
 * True for a timestamp already in UTC with an upper-case `T` and `Z` and in-range fields
 * (`2026-01-14T10:30:00Z`, `…:00.5Z`): its key is the text itself, padded to nanoseconds. The
 * fast path of instantKey and dayOfTimestamp; the general path gives the same key for these, and
 * the specs hold the two equal.
 */
export function isCanonicalUtc(t: string): boolean {
  const n = t.length;
  if (n < 20 || t.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':') return false;
  if (n > 20 && (t[19] !== '.' || n === 21)) return false;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  for (let i = 20; i < n - 1; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  // Hours 00–23, minutes and seconds 00–59 (validation has checked the date itself).
  const hours = (t.charCodeAt(11) - 48) * 10 + (t.charCodeAt(12) - 48);
  return hours < 24 && t[14]! < '6' && t[17]! < '6';
}

/**
 * A timestamp as a fixed-width UTC key that sorts as the instants follow each other, to the
 * nanosecond: `2026-01-14T10:30:00.000900000Z`. Comparing parsed milliseconds alone would make
 * two reports 0.1 ms apart a tie and hand the decision to event_id (mastery-model.md §6).
 * Digits beyond the ninth are ignored.
 */
export function instantKey(timestamp: string): string {
  // Most producers send UTC: no parsing then, the key is the text (the model's hottest path).
  if (isCanonicalUtc(timestamp)) {
    const fraction = timestamp.length > 20 ? timestamp.slice(20, -1) : '';
    return `${timestamp.slice(0, 19)}.${(fraction + ZEROS).slice(0, 9)}Z`;
  }
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
  const wholeSeconds = Date.parse(timestamp.replace(/\.\d+/, ''));
  const ms = Number((fraction + '000').slice(0, 3));
  const belowMs = (fraction.slice(3) + '000000').slice(0, 6);
  return `${new Date(wholeSeconds + ms).toISOString().slice(0, 23)}${belowMs}Z`;
}

/** The UTC day of an RFC 3339 timestamp: the day an event marks active (mastery-model.md §1.4). */
export function dayOfTimestamp(timestamp: string): Day {
  // An instant key is UTC: its first ten characters are its day. A timestamp already in UTC
  // starts with them (the common case, called several times per event: no key built).
  return isCanonicalUtc(timestamp) ? timestamp.slice(0, 10) : instantKey(timestamp).slice(0, 10);
}
