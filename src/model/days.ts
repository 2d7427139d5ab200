/**
 * Calendar days as `YYYY-MM-DD` strings (UTC). They sort as they follow each other, read well
 * in keys and JSON, and convert to whole day numbers for arithmetic.
 *
 * The conversions are integer arithmetic on the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil / civil_from_days) rather than Date parsing: the model converts days on
 * every event and every day of every history, and Date.parse was its largest single cost.
 */
export type Day = string;

const MS_PER_DAY = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Days from 0000-03-01 to 1970-01-01. */
const EPOCH_SHIFT = 719_468;

/** The value of the decimal digits of `text` from `start` to `end` (exclusive). */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** Whole days since 1970-01-01 of a year, month (1–12) and day of month. */
function civilDayNumber(year: number, month: number, dayOfMonth: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayOfMonth - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - EPOCH_SHIFT;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The day a whole number of days after 1970-01-01. */
export function dayFromNumber(n: number): Day {
  const z = n + EPOCH_SHIFT;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // Outside four-digit years a Day cannot be written; Date's own form keeps such values distinct.
  if (year < 0 || year > 9999) return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(dayOfMonth)}`;
}

/** The UTC day of an instant given in epoch milliseconds. */
export function dayOfInstant(epochMs: number): Day {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
  return dayFromNumber(Math.floor(epochMs / MS_PER_DAY));
}

/** Whole days since 1970-01-01 for a valid day. */
export function dayNumber(day: Day): number {
  return civilDayNumber(digits(day, 0, 4), digits(day, 5, 7), digits(day, 8, 10));
}

/** `b − a` in whole days. */
export function daysBetween(a: Day, b: Day): number {
  return dayNumber(b) - dayNumber(a);
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: Day, n: number): Day {
  return dayFromNumber(dayNumber(day) + n);
}

/** True for a real calendar day written `YYYY-MM-DD` (so 2026-02-30 is not one). */
export function isDay(value: string): boolean {
  if (!DAY_PATTERN.test(value)) return false;
  return dayFromNumber(dayNumber(value)) === value;
}
