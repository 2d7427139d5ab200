import type { Caller } from '../access/caller.js';
import type { AuditAction, AuditEntry, AuditOutcome } from '../ports/audit-trail.js';
import type { EngineDeps } from '../engine-deps.js';

/** An audit entry for what a caller did (or was refused) about a student, stamped now. */
export function auditEntry(
  deps: Pick<EngineDeps, 'clock'>,
  caller: Caller,
  studentId: string | null,
  action: AuditAction,
  outcome: AuditOutcome,
  detail?: AuditEntry['detail'],
): AuditEntry {
  const entry: AuditEntry = {
    at: deps.clock.now().toISOString(),
    actor: caller.principal.sub,
    role: caller.principal.role,
    student_id: studentId,
    action,
    outcome,
    request_id: caller.requestId,
  };
  if (detail) entry.detail = detail;
  return entry;
}

/**
 * The one entry of a class-wide read: it names no single student, lists the students it
 * covered and counts them. One row a page, however large the class (one per student let a
 * batch of class reads write millions of rows).
 */
export function classReadEntry(deps: Pick<EngineDeps, 'clock'>, caller: Caller, action: AuditAction, students: readonly string[]): AuditEntry {
  const { detail: _none, ...entry } = auditEntry(deps, caller, null, action, 'allowed');
  return { ...entry, students: [...students], detail: { students: students.length } };
}

/** Records one entry; resolves once it is stored. */
export function audit(
  deps: Pick<EngineDeps, 'clock' | 'audit'>,
  caller: Caller,
  studentId: string | null,
  action: AuditAction,
  outcome: AuditOutcome,
  detail?: AuditEntry['detail'],
): Promise<void> {
  return deps.audit.record([auditEntry(deps, caller, studentId, action, outcome, detail)]);
}
