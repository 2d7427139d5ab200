/**
 * Calendar days as `YYYY-MM-DD` strings (UTC). They sort as they follow each other, read well
 * in keys and JSON, and convert to whole day numbers for arithmetic.
 */
export type Day = string;

const MS_PER_DAY = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day of an instant given in epoch milliseconds. */
export function dayOfInstant(epochMs: number): Day {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Whole days since 1970-01-01 for a valid day. */
export function dayNumber(day: Day): number {
  return Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY;
}

/** The day a whole number of days after 1970-01-01. */
export function dayFromNumber(n: number): Day {
  return dayOfInstant(n * MS_PER_DAY);
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
  const m = DAY_PATTERN.exec(value);
  if (!m) return false;
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  const t = new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(t) && dayOfInstant(t) === value;
}
