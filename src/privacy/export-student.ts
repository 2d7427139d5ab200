import { canActForStudent } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { audit } from '../audit/audit-access.js';
import { Errors } from '../errors.js';
import { dayOfInstant, type Day } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { dailyHistory, masteryAsOf } from '../model/mastery-as-of.js';
import type { MasteryResult } from '../model/types.js';
import type { EngineDeps } from '../engine-deps.js';
import type { AuditEntry } from '../ports/audit-trail.js';
import type { PrivacyStatus } from '../ports/privacy-registry.js';
import { stateFromEvents } from '../students/student-repository.js';

export interface StudentExport {
  student_id: string;
  exported_at: string;
  consent: { granted: boolean | null; updated_at: string | null };
  current: (MasteryResult & { as_of: Day }) | null;
  history: Array<{ date: Day } & MasteryResult>;
  events: LearningEvent[];
  audit: AuditEntry[];
}

/** The audit entries about a student, newest first, every page. */
async function auditAbout(deps: EngineDeps, studentId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.audit.query({ studentId, limit: 1000, cursor });
    entries.push(...page.entries);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  return entries;
}

/**
 * GET /v1/students/{id}/export (GDPR access): everything held about the student — the events,
 * the daily history and current result computed from them, consent, and the audit entries
 * about them. The student themself or an admin. A student the engine holds no event of
 * (never seen, or erased) answers 404: nothing is held.
 */
export async function exportStudent(deps: EngineDeps, caller: Caller, studentId: string): Promise<StudentExport> {
  if (!canActForStudent(caller.principal, studentId)) {
    await audit(deps, caller, studentId, 'export', 'refused');
    throw Errors.forbidden(`a ${caller.principal.role} token may not export student ${studentId}`);
  }
  const events = await deps.log.readStudent(studentId);
  if (events.length === 0) {
    await audit(deps, caller, studentId, 'export', 'not_found');
    throw Errors.studentNotFound(studentId);
  }
  await audit(deps, caller, studentId, 'export', 'allowed', { events: events.length });
  const now = deps.clock.now();
  const today = dayOfInstant(now.getTime());
  const state = stateFromEvents(studentId, events);
  const status: PrivacyStatus | undefined = (await deps.privacy.statuses([studentId])).get(studentId);
  return {
    student_id: studentId,
    exported_at: now.toISOString(),
    consent: { granted: status?.consent ?? null, updated_at: status?.consentAt ?? null },
    current: { ...masteryAsOf(state, today, deps.model)!, as_of: today },
    history: dailyHistory(state, deps.model, { to: today }).map((d) => ({ date: d.date, ...d.result })),
    events,
    audit: await auditAbout(deps, studentId),
  };
}
