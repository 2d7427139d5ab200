import { consistencyOf } from '../consistency.js';
import type { Day } from '../days.js';
import { dayNumbersOf } from './day-index.js';

/**
 * The fast path of consistencyAsOf (consistency.ts) for a whole history: the consistency at
 * ascending as-of days (day numbers), each call not before the last. It walks the days once,
 * so a history of n days costs n steps, not n². fast-path.unit.spec.ts holds it equal to the
 * plain formula.
 */
export interface StreakCursor {
  at(asOf: number): number;
  /** True once an active day on or before the last as-of day was seen. */
  started(): boolean;
}

export function streakCursor(sortedActiveDays: readonly Day[]): StreakCursor {
  const numbers = dayNumbersOf(sortedActiveDays);
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
      return consistencyOf(streak, maxStreak, asOf - previous);
    },
    started: () => maxStreak > 0,
  };
}
