import type { Day } from '../model/days.js';
import type { StudentState } from '../model/student-state.js';
import type { MasteryResult } from '../model/types.js';

/** The last result published for a student, and the day it was computed as of. */
export interface CurrentMastery extends MasteryResult {
  as_of: Day;
}

export interface StudentRecord {
  state: StudentState;
  current: CurrentMastery | null;
}

/** The hot projection of the event log: one record per student. */
export interface StateStore {
  /** The records of the students asked for that the store holds. */
  load(studentIds: readonly string[]): Promise<Map<string, StudentRecord>>;
  /** Writes the records; each student's record changes as a whole. */
  save(records: readonly StudentRecord[]): Promise<void>;
  /** Student ids in ascending order, a page at a time, with the total. */
  list(page: { offset: number; limit: number }): Promise<{ studentIds: string[]; total: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
