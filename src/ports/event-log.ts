import type { LearningEvent } from '../model/learning-event.js';

/** What an append did. */
export interface Appended {
  /** The ids it stored (the others were in the log already). */
  stored: Set<string>;
  /**
   * The students it stored a first event of: none of their events was in the log before. Their
   * state is exactly what this append's events make of it, so nothing needs to be read back.
   */
  newStudents: Set<string>;
}

/**
 * The durable log of every accepted event, unique on event_id: the source of truth from which
 * the state store can always be rebuilt.
 */
export interface EventLog {
  /** Stores the events not yet in the log, in one round trip. */
  append(events: readonly LearningEvent[]): Promise<Appended>;
  /** Every event of one student, oldest first. */
  readStudent(studentId: string): Promise<LearningEvent[]>;
  /** Every event of each student asked for, oldest first; students without events are left out. */
  readStudents(studentIds: readonly string[]): Promise<Map<string, LearningEvent[]>>;
  /** The stored events with these ids (as first stored, whatever a later copy says). */
  readEvents(eventIds: readonly string[]): Promise<LearningEvent[]>;
  /** The `limit` events logged last (by arrival), newest first. */
  readLatest(limit: number): Promise<LearningEvent[]>;
  /** Student ids in ascending code-point order, a page at a time, with the total. */
  listStudents(page: { offset: number; limit: number }): Promise<{ studentIds: string[]; total: number }>;
  /** Every student with at least one event, page by page in id order, each with all its events. */
  scanStudents(pageSize?: number): AsyncIterable<Array<{ studentId: string; events: LearningEvent[] }>>;
  /** Deletes every event of the student; returns the deleted events' ids. */
  eraseStudent(studentId: string): Promise<string[]>;
  /** Deletes the events whose timestamp is before the instant; returns whose they were, with their ids. */
  purgeBefore(instant: string): Promise<Map<string, string[]>>;
  /** Answers when the log is reachable; throws when it is not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
