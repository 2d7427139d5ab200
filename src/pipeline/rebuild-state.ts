import { dayOfInstant } from '../model/days.js';
import { evolveAll, initialState } from '../model/student-state.js';
import type { StudentRecord } from '../ports/state-store.js';
import { currentMastery } from './apply-events.js';
import type { EngineDeps } from './engine-deps.js';

/**
 * Recomputes every student's record from the event log into the state store: at start in the
 * embedded mode, before the service takes requests, and after a change of weights or of the
 * model. Folding is idempotent, so running it twice leaves the same records.
 */
export async function rebuildState(
  deps: EngineDeps,
  onProgress: (studentsDone: number) => void = () => {},
): Promise<number> {
  const today = dayOfInstant(deps.clock.now().getTime());
  let done = 0;
  for await (const page of deps.log.scanStudents()) {
    const records: StudentRecord[] = page.map(({ studentId, events }) => {
      const state = evolveAll(initialState(studentId), events);
      return { state, current: currentMastery(state, today, deps.model) };
    });
    await deps.store.save(records);
    done += records.length;
    onProgress(done);
  }
  return done;
}
