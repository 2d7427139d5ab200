import { dayOfInstant, type Day } from './days.js';

/**
 * A timestamp as a fixed-width UTC key that sorts as the instants follow each other, to the
 * nanosecond: `2026-01-14T10:30:00.000900000Z`. Comparing parsed milliseconds alone would make
 * two reports 0.1 ms apart a tie and hand the decision to event_id (mastery-model.md §6).
 * Digits beyond the ninth are ignored.
 */
export function instantKey(timestamp: string): string {
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
  const wholeSeconds = Date.parse(timestamp.replace(/\.\d+/, ''));
  const ms = Number((fraction + '000').slice(0, 3));
  const belowMs = (fraction.slice(3) + '000000').slice(0, 6);
  return `${new Date(wholeSeconds + ms).toISOString().slice(0, 23)}${belowMs}Z`;
}

/** The epoch milliseconds of an instant key. */
export function epochMsOf(key: string): number {
  return Date.parse(`${key.slice(0, 23)}Z`);
}

/** The UTC day of an RFC 3339 timestamp: the day an event marks active (mastery-model.md §1.4). */
export function dayOfTimestamp(timestamp: string): Day {
  return dayOfInstant(epochMsOf(instantKey(timestamp)));
}
