import type { Day } from './days.js';
import { dayNumber } from './days.js';

/**
 * consistency = (current_streak / max_streak) × 0.9 ^ days_since (§1.4), from the active days
 * (sorted ascending, no repeats) that are on or before `asOf`. No active day gives 0.
 */
export function consistencyValue(sortedActiveDays: readonly Day[], asOf: Day): number {
  const asOfNumber = dayNumber(asOf);
  let maxStreak = 0;
  let streak = 0;
  let previous = Number.NaN;
  for (const day of sortedActiveDays) {
    const n = dayNumber(day);
    if (n > asOfNumber) break;
    streak = n === previous + 1 ? streak + 1 : 1;
    if (streak > maxStreak) maxStreak = streak;
    previous = n;
  }
  if (maxStreak === 0) return 0;
  const daysSince = asOfNumber - previous;
  return (streak / maxStreak) * 0.9 ** daysSince;
}
