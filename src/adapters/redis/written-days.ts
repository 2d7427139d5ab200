import { LRUCache } from 'lru-cache';
import type { Day } from '../../model/days.js';

/** A day's component values as written, in COMPONENTS order. */
export type DayValues = readonly string[];

/**
 * The daily values this process last wrote for each student, with the state version they were
 * written at. A write that follows on from that version can leave out the values that did not
 * change: many of those a batch recomputes come out the same, and daily values are most of
 * what the write script sets. Another writer, an erasure or an expiry changes the version
 * (versions never repeat), and the next write then sends every value again. Bounded: the
 * students least recently written or read are forgotten first.
 */
export function createWrittenDays(maxStudents: number) {
  const byStudent = new LRUCache<string, { version: string; days: Map<Day, DayValues> }>({ max: maxStudents });
  return {
    /** What this process wrote at `version`; undefined when it did not write that version. */
    at(studentId: string, version: string | null): ReadonlyMap<Day, DayValues> | undefined {
      const known = byStudent.get(studentId);
      return version !== null && known?.version === version ? known.days : undefined;
    },
    /** After a write stored as `version`: the values of its days, as the store now holds them. */
    remember(studentId: string, version: string, days: Map<Day, DayValues>): void {
      byStudent.set(studentId, { version, days });
    },
    forget(studentIds: readonly string[]): void {
      for (const id of studentIds) byStudent.delete(id);
    },
  };
}
