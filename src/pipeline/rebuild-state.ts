import { rebuildStudents } from '../students/student-repository.js';
import type { EngineDeps } from '../engine-deps.js';

/**
 * Recomputes every student's record from the event log into the state store: at start in the
 * embedded mode, and after a change of weights, a lost Redis or a new model (`mastery rebuild`).
 * Each write names the version it replaces, so a student the live service changes meanwhile is
 * read again from the log and rebuilt, never overwritten with an older picture.
 */
export async function rebuildState(deps: EngineDeps, onProgress: (studentsDone: number) => void = () => {}, pageSize = 500): Promise<number> {
  let done = 0;
  for await (const page of deps.log.scanStudents(pageSize)) {
    await rebuildStudents(deps, new Map(page.map((p) => [p.studentId, p.events])));
    done += page.length;
    onProgress(done);
  }
  return done;
}
