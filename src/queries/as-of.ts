import { Errors } from '../errors.js';
import { dayOfInstant, isDay, type Day } from '../model/days.js';
import { parseRfc3339 } from '../validation/rfc3339.js';

/**
 * A read's as_of, as every entry point takes it (learner-model §6): a day means its end; an
 * RFC 3339 date-time means everything strictly before that instant. The seed's numbers are kept
 * per day, so they are as of the date-time's UTC day; knowledge counts answers to the instant.
 */
export function parseAsOf(value: string | undefined): { asOf?: Day; at?: number } {
  if (value === undefined) return {};
  if (isDay(value)) return { asOf: value };
  const instant = value.length > 10 ? parseRfc3339(value) : null;
  if (instant === null) throw Errors.badRequest(`as_of must be a calendar day YYYY-MM-DD or an RFC 3339 date-time with an offset, not ${value}`);
  return { asOf: dayOfInstant(instant.epochMs), at: instant.epochMs };
}
