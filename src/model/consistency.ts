import { dayNumber, type Day } from './days.js';

/** The consistency value at ascending as-of days (day numbers), each call not before the last. */
export interface StreakCursor {
  at(asOf: number): number;
  /** True once an active day on or before the last as-of day was seen. */
  started(): boolean;
}

/**
 * consistency = (current_streak / max_streak) × 0.9 ^ days_since (§1.4), from the active days
 * (sorted ascending, no repeats) that are on or before the as-of day; no active day gives 0.
 * The cursor walks the days once for a whole history, so a history of n days costs n steps,
 * not n².
 */
export function streakCursor(sortedActiveDays: readonly Day[]): StreakCursor {
  const numbers = sortedActiveDays.map(dayNumber);
  let next = 0;
  let streak = 0;
  let maxStreak = 0;
  let previous = Number.NaN;
  return {
    at(asOf) {
      while (next < numbers.length && numbers[next]! <= asOf) {
        const n = numbers[next++]!;
        streak = n === previous + 1 ? streak + 1 : 1;
        if (streak > maxStreak) maxStreak = streak;
        previous = n;
      }
      if (maxStreak === 0) return 0;
      return (streak / maxStreak) * 0.9 ** (asOf - previous);
    },
    started: () => maxStreak > 0,
  };
}
