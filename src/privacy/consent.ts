import { canActForStudent } from '../access/access-rule.js';
import type { Caller } from '../access/caller.js';
import { audit } from '../audit/audit-access.js';
import { Errors } from '../errors.js';
import type { EngineDeps } from '../engine-deps.js';
import type { PrivacyStatus } from '../ports/privacy-registry.js';

/**
 * PUT /v1/students/{id}/consent: the student themself or an admin. Granting consent lifts an
 * erasure tombstone; withdrawing it keeps what is held (erasure is a separate request) but,
 * when consent is required, refuses the student's further events.
 */
export async function setConsent(
  deps: EngineDeps,
  caller: Caller,
  studentId: string,
  granted: boolean,
): Promise<{ student_id: string; granted: boolean; updated_at: string }> {
  if (!canActForStudent(caller.principal, studentId)) {
    await audit(deps, caller, studentId, 'consent.update', 'refused');
    throw Errors.forbidden(`a ${caller.principal.role} token may not set the consent of student ${studentId}`);
  }
  const status: PrivacyStatus = await deps.privacy.setConsent(studentId, granted, deps.clock.now().toISOString());
  await audit(deps, caller, studentId, 'consent.update', 'allowed', { granted });
  return { student_id: studentId, granted, updated_at: status.consentAt! };
}
