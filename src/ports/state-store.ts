import type { Day } from '../model/days.js';
import type { Forecast } from '../model/learner/forecast.js';
import type { KnowledgeTrace } from '../model/learner/knowledge-trace.js';
import type { LearningEvent } from '../model/learning-event.js';
import type { StudentState } from '../model/student-state.js';
import type { ComponentValues, MasteryResult } from '../model/types.js';
import type { MasteryUpdated } from './bus.js';

/** The last result published for a student, and the day it was computed as of. */
export interface CurrentMastery extends MasteryResult {
  as_of: Day;
  /** Absent in records written before the learner model. */
  forecast?: Forecast;
}

export interface StudentRecord {
  state: StudentState;
  current: CurrentMastery | null;
  /**
   * The student's answers traced with one parameter version: a memo of the state (it can be
   * replayed from `state.responses`), kept so that an answer in order costs O(1). Absent or
   * null when not stored.
   */
  knowledge?: KnowledgeTrace | null;
}

/** A record as loaded, with the opaque version a write must name to replace it. */
export interface LoadedRecord extends StudentRecord {
  etag: string;
}

/** One student's change: written whole, or (on a version conflict) not at all. */
export interface StudentWrite {
  record: StudentRecord;
  /** The etag the record was loaded with; null when the store held no record. */
  etag: string | null;
  /** The events applied in this write: marked processed, and kept as their day's raw events. */
  applied: readonly LearningEvent[];
  /**
   * True when `record.state` is the state loaded with `etag` with `applied` folded in: a store
   * may then write only what those events changed. False when the record replaces the stored
   * one whole (a rebuild from the log, which may have fewer days than before).
   */
  incremental: boolean;
  /** Component values as of the end of each day whose history this write changed. */
  days: ReadonlyArray<{ date: Day; components: ComponentValues }>;
  /**
   * The mastery.updated this write makes, kept as the student's pending update in the same
   * atomic step (the outbox): written with the record or, on a conflict, not at all. It replaces
   * a pending update the student still has. Absent: the student's pending update is left alone.
   */
  update?: MasteryUpdated;
}

export interface SaveOutcome {
  conflicts: string[];
  etags: Map<string, string>;
}

/**
 * The hot projection of the event log, one record per student (events.md, "State keys").
 * Writes are optimistic: a write whose etag no longer matches is refused and reported, so
 * two writers never overwrite each other's events (the caller reloads and folds again).
 */
export interface StateStore {
  /** The records of the students asked for that the store holds. */
  load(studentIds: readonly string[]): Promise<Map<string, LoadedRecord>>;
  /**
   * The etag each of these students' records has now, without the records: a cache checks with
   * it that what it holds is still current. Left out: students the store does not hold, and
   * every student when the store's etags can repeat (a record removed and written again may get
   * an etag it had before, which a cache would take for the old record).
   */
  etags(studentIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Writes each student atomically. Returns the ids whose etag had changed (not written), and
   * the new etag of each student written where the store knows it without reading again (a
   * cache may then keep the record it just wrote).
   */
  save(writes: readonly StudentWrite[]): Promise<SaveOutcome>;
  /**
   * The outbox: the pending update of each of these students (one at most per student), that a
   * write left and no acknowledge has removed yet. Students without one are left out.
   */
  pendingUpdates(studentIds: readonly string[]): Promise<MasteryUpdated[]>;
  /**
   * Removes these updates from the outbox once they are published: each only while it is still
   * its student's pending update (a newer write's update stays, to be published in turn).
   */
  acknowledge(updates: ReadonlyArray<Pick<MasteryUpdated, 'student_id' | 'event_id'>>): Promise<void>;
  /** Forgets the students' records, with their daily values, raw events and pending update, and these events' markers. */
  remove(studentIds: readonly string[], eventIds: readonly string[]): Promise<void>;
  /** Of these event ids, those not yet applied to the store (no processed marker). */
  unprocessed(eventIds: readonly string[]): Promise<Set<string>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
