import type { Role } from '../access/principal.js';

export const AUDIT_ACTIONS = [
  'mastery.read',
  'history.read',
  'prediction.read',
  'path.read',
  'students.list',
  'events.ingest',
  'export',
  'erase',
  'consent.update',
  'audit.read',
  'updates.stream',
  'knowledge.read',
  'model.read',
  'model.fit',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditOutcome = 'allowed' | 'refused' | 'not_found';

/** One read or change of a student's data, allowed or not (api.md). It holds no mastery data. */
export interface AuditEntry {
  /** ISO instant. */
  at: string;
  actor: string;
  role: Role;
  /** The student concerned; null for an action about no single student. */
  student_id: string | null;
  /**
   * The students a class-wide read covered (`students.list`), in the order read. One entry for
   * the whole page instead of one per student keeps a read of a class one row; a query for a
   * student finds the entries that name them here as well as those of their own.
   */
  students?: string[];
  action: AuditAction;
  outcome: AuditOutcome;
  request_id: string;
  /** Counts and reasons, never scores: e.g. { accepted: 12 } or { reason: 'erased' }. */
  detail?: Record<string, string | number | boolean>;
}

export interface AuditFilter {
  /** Entries about this student: of their own, or a class-wide read that covered them. */
  studentId?: string;
  actor?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/** The audit trail: written on every access, kept apart from the student's data, survives erasure. */
export interface AuditTrail {
  record(entries: readonly AuditEntry[]): Promise<void>;
  /** Newest first, a page at a time. */
  query(filter: AuditFilter): Promise<{ entries: AuditEntry[]; next: string | null }>;
  /** Drops entries older than the instant (retention); returns how many. */
  purgeBefore(instant: string): Promise<number>;
}

/**
 * Whether a decoded audit cursor (the last entry's instant and id) is one a trail could have
 * given: an instant between 1970 and 9999 and an id that fits a bigint. A forged one is a 400,
 * never a database error.
 */
export function validCursor(at: string, id: string | undefined): boolean {
  const ms = Date.parse(at);
  return Number.isFinite(ms) && ms >= 0 && ms <= Date.UTC(9999, 11, 31, 23, 59, 59, 999) && /^\d{1,18}$/.test(id ?? '');
}
