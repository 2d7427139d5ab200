import type { LearningEvent } from '../model/learning-event.js';

/**
 * The durable log of every accepted event, unique on event_id: the source of truth from which
 * the state store can always be rebuilt.
 */
export interface EventLog {
  /** Stores the events not yet in the log, in one round trip; returns the ids it stored. */
  append(events: readonly LearningEvent[]): Promise<Set<string>>;
  /** Every event of one student, oldest first. */
  readStudent(studentId: string): Promise<LearningEvent[]>;
  /** Every student with at least one event, page by page in id order, each with all its events. */
  scanStudents(pageSize?: number): AsyncIterable<Array<{ studentId: string; events: LearningEvent[] }>>;
  /** Answers when the log is reachable; throws when it is not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
