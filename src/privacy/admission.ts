import type { LearningEvent } from '../model/learning-event.js';
import type { EngineDeps } from '../engine-deps.js';
import type { FieldError } from '../validation/field-errors.js';

/**
 * Why a valid event may still not be stored: its student was erased (a tombstone stands until
 * consent is granted again), or consent is required and not granted. One look-up per batch.
 */
export async function admissionRefusals(deps: Pick<EngineDeps, 'privacy' | 'policy'>, events: readonly LearningEvent[]): Promise<Map<string, FieldError>> {
  const students = [...new Set(events.map((e) => e.student_id))];
  const statuses = await deps.privacy.statuses(students);
  const refusals = new Map<string, FieldError>();
  for (const id of students) {
    const status = statuses.get(id);
    if (status?.erasedAt) {
      refusals.set(id, {
        field: 'student_id',
        message: `student ${id} was erased; their events are refused until consent is granted again`,
      });
    } else if (deps.policy.requireConsent && status?.consent !== true) {
      refusals.set(id, {
        field: 'student_id',
        message: `student ${id} has not granted consent, which this service requires before it keeps any event`,
      });
    }
  }
  return refusals;
}
