import { dayOfInstant } from '../model/days.js';
import type { LearningEvent } from '../model/learning-event.js';
import { evolveAll, initialState } from '../model/student-state.js';
import { Errors } from '../errors.js';
import { recordFor, touchedDays } from './student-results.js';
import { MAX_WRITE_ATTEMPTS } from './apply-events.js';
import type { EngineDeps } from './engine-deps.js';

/**
 * Recomputes every student's record from the event log into the state store: at start in the
 * embedded mode, and after a change of weights, a lost Redis or a new model (`mastery rebuild`).
 * Each write names the version it replaces, so a student the live service changes meanwhile is
 * read again from the log and rebuilt, never overwritten with an older picture.
 */
export async function rebuildState(
  deps: EngineDeps,
  onProgress: (studentsDone: number) => void = () => {},
  pageSize = 500,
): Promise<number> {
  let done = 0;
  for await (const page of deps.log.scanStudents(pageSize)) {
    await rebuildStudents(deps, new Map(page.map((p) => [p.studentId, p.events])));
    done += page.length;
    onProgress(done);
  }
  return done;
}

/** Rewrites these students' records from their events in the log, naming the versions replaced. */
export async function rebuildStudents(deps: EngineDeps, events: Map<string, LearningEvent[]>): Promise<void> {
  const today = dayOfInstant(deps.clock.now().getTime());
  let pending = events;
  for (let attempt = 1; pending.size > 0; attempt++) {
    if (attempt > MAX_WRITE_ATTEMPTS) throw Errors.stateConflict([...pending.keys()]);
    const held = await deps.store.load([...pending.keys()]);
    const params = deps.learner.current();
    const writes = [...pending].map(([id, studentEvents]) => {
      const state = evolveAll(initialState(id), studentEvents);
      return {
        record: recordFor(state, today, deps.model, params),
        etag: held.get(id)?.etag ?? null,
        applied: studentEvents,
        days: touchedDays(state, studentEvents, deps.model),
        incremental: false,
      };
    });
    const { conflicts } = await deps.store.save(writes);
    pending = conflicts.length > 0 ? await deps.log.readStudents(conflicts) : new Map();
  }
}
