import { dayNumber, type Day } from '../days.js';

/*
 * What the cursors derive from a state's days again and again, kept per array and per record:
 * a state is never changed once folded, and the fold copies only the parts an event touches,
 * so a write reads most of a long history's days from the states before it.
 */

const numbers = new WeakMap<readonly Day[], readonly number[]>();
const sorted = new WeakMap<object, readonly Day[]>();

/** The day numbers of a state's list of days (dayNumber of each, in its order). */
export function dayNumbersOf(days: readonly Day[]): readonly number[] {
  let found = numbers.get(days);
  if (found === undefined) numbers.set(days, (found = days.map(dayNumber)));
  return found;
}

/** The days `of` gives for a record of a state, ascending, made once per record. */
export function sortedDaysOf<K extends object>(record: K, of: (record: K) => Day[]): readonly Day[] {
  let found = sorted.get(record);
  if (found === undefined) sorted.set(record, (found = ascending(of(record))));
  return found;
}

/**
 * Days ascending, sorted in place: by insertion for the handful of days most components have
 * (`Array#sort` copies its input first), by `sort` beyond.
 */
function ascending(days: Day[]): Day[] {
  if (days.length > 32) return days.sort();
  for (let i = 1; i < days.length; i++) {
    const day = days[i]!;
    let j = i - 1;
    for (; j >= 0 && days[j]! > day; j--) days[j + 1] = days[j]!;
    days[j + 1] = day;
  }
  return days;
}
