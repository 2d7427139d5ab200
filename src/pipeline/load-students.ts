import { dayOfInstant } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { evolveAll, initialState } from '../model/student-state.js';
import { recordFor, touchedDays } from './student-results.js';
import type { StudentRecord } from '../ports/state-store.js';
import type { EngineDeps } from './engine-deps.js';

/** A student's record as a use case starts from it. */
export interface StudentBase {
  record: StudentRecord;
  /** The version to name when writing it back; null when the store held nothing. */
  etag: string | null;
  /** When the store had lost the student: the log's events the record was rebuilt from. */
  rebuiltFrom: LearningEvent[] | null;
}

/**
 * The records of these students: from the state store, and for any it lacks (evicted, expired,
 * a Redis restarted empty) rebuilt from the event log — the third cache level. Students known
 * to neither are left out.
 */
export async function loadStudents(
  deps: EngineDeps,
  studentIds: readonly string[],
  options: { writeBack?: boolean } = {},
): Promise<Map<string, StudentBase>> {
  const loaded = await deps.store.load(studentIds);
  const bases = new Map<string, StudentBase>();
  for (const [id, { etag, ...record }] of loaded) bases.set(id, { record, etag, rebuiltFrom: null });
  const missing = studentIds.filter((id) => !loaded.has(id));
  if (missing.length === 0) return bases;
  const rebuilt = await deps.log.readStudents(missing);
  for (const [id, events] of rebuilt) {
    bases.set(id, { record: { state: evolveAll(initialState(id), events), current: null }, etag: null, rebuiltFrom: events });
  }
  if (options.writeBack && rebuilt.size > 0) await writeBack(deps, [...rebuilt.keys()].map((id) => bases.get(id)!));
  return bases;
}

/**
 * Puts students rebuilt from the log back into the state store, so the next read finds them
 * there. A conflict means another writer stored the student first: theirs stands.
 */
async function writeBack(deps: EngineDeps, rebuilt: StudentBase[]): Promise<void> {
  const today = dayOfInstant(deps.clock.now().getTime());
  const params = deps.learner.current();
  await deps.store.save(
    rebuilt.map(({ record, rebuiltFrom }) => ({
      record: recordFor(record.state, today, deps.model, params),
      etag: null,
      applied: rebuiltFrom!,
      days: touchedDays(record.state, rebuiltFrom!, deps.model),
      incremental: false,
    })),
  );
}
