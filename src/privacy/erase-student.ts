import { canErase } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { audit } from '../audit/audit-access.js';
import { Errors } from '../errors.js';
import type { EngineDeps } from '../engine-deps.js';

/**
 * DELETE /v1/students/{id}: removes every trace of the student but the audit trail — the
 * event log, the state store with its daily values, raw events and processed markers, the
 * caches — and leaves a tombstone first, so no event arriving meanwhile or later (a replay,
 * a late Kafka message) brings the student back until consent is granted again. An event
 * already in flight at that moment is caught by the next purge sweep.
 */
export async function eraseStudent(deps: EngineDeps, caller: Caller, studentId: string): Promise<{ student_id: string; events_erased: number }> {
  if (!canErase(caller.principal, studentId, deps.policy.allowSelfErasure)) {
    await audit(deps, caller, studentId, 'erase', 'refused');
    throw Errors.forbidden(`a ${caller.principal.role} token may not erase student ${studentId}`);
  }
  await deps.privacy.markErased(studentId, deps.clock.now().toISOString());
  const erased = await deps.log.eraseStudent(studentId);
  await deps.store.remove([studentId], erased);
  await audit(deps, caller, studentId, 'erase', 'allowed', { events: erased.length });
  return { student_id: studentId, events_erased: erased.length };
}
