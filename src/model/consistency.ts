import { dayNumber, type Day } from './days.js';

/** A run of active days: the last one's day number, the streak that ends on it, the longest streak. */
export interface StreakRun {
  last: number;
  current: number;
  max: number;
}

/** The run over active day numbers, ascending and without repeats: consecutive days extend the streak. */
export function streakOf(dayNumbers: readonly number[]): StreakRun {
  let last = Number.NaN;
  let current = 0;
  let max = 0;
  for (const n of dayNumbers) {
    current = n === last + 1 ? current + 1 : 1;
    if (current > max) max = current;
    last = n;
  }
  return { last, current, max };
}

/** consistency = (current_streak / max_streak) × 0.9 ^ days_since (§1.4); no active day (max 0) gives 0. */
export function consistencyOf(current: number, max: number, daysSince: number): number {
  return max === 0 ? 0 : (current / max) * 0.9 ** daysSince;
}

/**
 * The consistency as of the end of `asOf`, from the active days (ascending, no repeats) on or
 * before it (§1.4).
 */
export function consistencyAsOf(sortedActiveDays: readonly Day[], asOf: Day): number {
  const asOfNumber = dayNumber(asOf);
  const run = streakOf(sortedActiveDays.filter((d) => d <= asOf).map(dayNumber));
  return consistencyOf(run.current, run.max, asOfNumber - run.last);
}
